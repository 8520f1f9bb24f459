export function orderId(body: string): string {
  return `o-${body.length}`;
}
