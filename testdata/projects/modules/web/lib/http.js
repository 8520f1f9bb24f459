export async function post(url, body) {
  return fetch(url, { method: "POST", body: JSON.stringify(body) });
}

export async function postWithTimeout(url, body) {
  return fetch(url, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(3000) });
}
