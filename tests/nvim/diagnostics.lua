-- Headless Neovim (0.7+): start lambdalint's language server with the built-in LSP client,
-- open a template, wait for diagnostics, and write them to $OUT (one per line).
local bin, tpl, out = os.getenv('LAMBDALINT_BIN'), os.getenv('TEMPLATE'), os.getenv('OUT')
local lines = {}
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(tpl))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'lambdalint',
    cmd = { bin, 'server' },
    root_dir = vim.fn.fnamemodify(tpl, ':h'),
  })
  assert(id, 'client did not start')
  vim.lsp.buf_attach_client(buf, id)
  local got = vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  if not got then
    table.insert(lines, 'TIMEOUT')
  end
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(lines, string.format('%s|%d|%d|%d|%d|%d|%s|%s', tostring(code), d.lnum, d.col,
      d.end_lnum, d.end_col, d.severity, tostring(d.source), d.message:gsub('\n', ' ')))
  end
  vim.lsp.stop_client(id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
end)
if not ok then
  table.insert(lines, 'ERROR ' .. tostring(err))
end
vim.fn.writefile(lines, out)
vim.cmd('qa!')
