// Batch oracle for the SemVer scheme: Debian's node-semver, strict and loose.
// stdin: "HEX(a) HEX(b)" per line (UTF-8). stdout per line:
// "STRICT_A STRICT_B STRICT_CMP LOOSE_A LOOSE_B LOOSE_CMP", validity as 1/0
// and CMP as -1/0/1, or x when a side does not parse.
'use strict'
const SemVer = require('semver/classes/semver')

const parse = (v, loose) => {
  try {
    return new SemVer(v, { loose })
  } catch (e) {
    return null
  }
}
const row = (a, b, loose) => {
  const pa = parse(a, loose)
  const pb = parse(b, loose)
  const cmp = pa && pb ? String(pa.compare(pb)) : 'x'
  return `${pa ? 1 : 0} ${pb ? 1 : 0} ${cmp}`
}

const input = require('fs').readFileSync(0, 'latin1')
const out = []
for (const line of input.split('\n')) {
  if (line === '') continue
  const [ha, hb] = line.split(' ')
  const a = Buffer.from(ha, 'hex').toString('utf8')
  const b = Buffer.from(hb, 'hex').toString('utf8')
  out.push(`${row(a, b, false)} ${row(a, b, true)}`)
}
process.stdout.write(out.join('\n') + '\n')
