// Reads `go test -json` output and prints, per package, ok/FAIL; the output of every
// failed test; and a closing line "go: N passed, N failed, N skipped". Exits 1 on failures.
import { readFileSync } from 'node:fs'

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)
const out = new Map() // "pkg test" -> output lines
let pass = 0, fail = 0, skip = 0
const failed = []
const pkgs = []
for (const line of lines) {
  let ev
  try {
    ev = JSON.parse(line)
  } catch {
    console.log(line) // build errors come as plain text
    continue
  }
  const key = `${ev.Package} ${ev.Test ?? ''}`
  if (ev.Action === 'output') {
    if (!out.has(key)) out.set(key, [])
    out.get(key).push(ev.Output)
    continue
  }
  if (ev.Test) {
    if (ev.Test.includes('/')) continue // subtests are counted through their parent
    if (ev.Action === 'pass') pass++
    if (ev.Action === 'skip') skip++
    if (ev.Action === 'fail') {
      fail++
      failed.push(key)
    }
  } else if (['pass', 'fail', 'skip'].includes(ev.Action)) {
    pkgs.push(`${ev.Action === 'fail' ? 'FAIL' : ev.Action === 'skip' ? 'none' : 'ok  '} ${ev.Package} ${ev.Elapsed ?? ''}s`)
    if (ev.Action === 'fail' && !failed.some((k) => k.startsWith(ev.Package + ' '))) {
      fail++ // the package failed outside any test: a build error or a panic at init
      failed.push(key)
    }
  }
}
for (const p of pkgs) console.log(p)
for (const key of failed) {
  console.log(`\n--- FAIL ${key}`)
  const prefix = key.endsWith(' ') ? key : key + '/'
  for (const [k, v] of out) if (k === key || k.startsWith(prefix)) process.stdout.write(v.join(''))
}
const skipped = [...out.entries()].filter(([, v]) => v.some((l) => /--- SKIP/.test(l))).map(([k]) => k)
if (skipped.length) console.log(`\nskipped: ${skipped.join(', ')}`)
console.log(`go: ${pass} passed, ${fail} failed, ${skip} skipped`)
process.exit(fail ? 1 : 0)
