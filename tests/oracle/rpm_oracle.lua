-- Batch oracle for the Rpm scheme: rpm's own rpm.vercmp() (rpmverParse +
-- rpmverCmp), run inside `rpm --eval` so one process answers every pair.
-- Reads the file named by $REGSCAN_ORACLE_INPUT: "HEX(a) HEX(b)" per line.
-- Writes "CMP" per line: -1, 0, 1, or E when rpm refuses a version.
local function unhex(s)
  return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end
local path = os.getenv("REGSCAN_ORACLE_INPUT")
local out = {}
for line in io.lines(path) do
  local ha, hb = line:match("^(%x*) (%x*)$")
  local ok, r = pcall(rpm.vercmp, unhex(ha), unhex(hb))
  if ok then
    out[#out + 1] = tostring(r > 0 and 1 or (r < 0 and -1 or 0))
  else
    out[#out + 1] = "E"
  end
end
io.write(table.concat(out, "\n"), "\n")
