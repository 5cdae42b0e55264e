// A specialist checks a customer's DNS in the browser through the cutover: the TTLs
// before (with the record to publish, copied in one click), the safe-switch time once
// they are lowered, marking the timeline step done from the check, and the propagation
// of the new records across resolvers. Every DNS server is a loopback test server
// (backend/dnscheck/dnstest/serve): no public resolver is ever asked.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startApp, cli, repo } from './harness.mjs'

const zone = (ttl, serial, body) => `$ORIGIN acme.example.
$TTL ${ttl}
@ IN SOA ns1 hostmaster ${serial} 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
@ TXT "MS=ms" "12345678"
${body}`
const oldRecords = `@ MX 10 mail
@ TXT "v=spf1 a:mail ~all"
mail A 192.0.2.10
autodiscover CNAME mail
`
const newRecords = `@ MX 0 acme-example.mail.protection.outlook.com.
@ TXT "v=spf1 include:spf.protection.outlook.com -all"
autodiscover CNAME autodiscover.outlook.com.
`

let app, dns, dir, lines
const files = {}

/** Sends a command to the DNS servers and waits for its "ok". */
async function dnsCommand(cmd) {
  dns.stdin.write(cmd + '\n')
  const { value } = await lines.next()
  assert.equal(value, 'ok', `${cmd}: ${value}`)
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cutover-dns-e2e-'))
  files.long = join(dir, 'long.zone')
  files.short = join(dir, 'short.zone')
  files.switched = join(dir, 'switched.zone')
  writeFileSync(files.long, zone(86400, 1, oldRecords))
  writeFileSync(files.short, zone(300, 2, oldRecords))
  writeFileSync(files.switched, zone(300, 3, newRecords))
  const helper = join(repo, 'build', 'bin', 'dnstest-serve')
  execFileSync('go', ['build', '-o', helper, './backend/dnscheck/dnstest/serve'], { cwd: repo, stdio: 'inherit' })
  dns = spawn(helper, ['-auth', files.long, ...Array(5).fill(['-resolver', files.long]).flat()], { stdio: ['pipe', 'pipe', 'inherit'] })
  lines = createInterface({ input: dns.stdout })[Symbol.asyncIterator]()
  const servers = JSON.parse((await lines.next()).value)
  app = await startApp({
    seed: (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--customer', 'Acme Plumbing', '--domain', 'acme.example', '--provider', 'm365',
        '--cutover', '2099-05-14 18:00', '--tz', 'America/Toronto')
      cli(db, 'dns', 'set', '--project', 'acme', '--verification', 'MS=ms12345678', '--nameserver', servers.auth,
        ...servers.resolvers.flatMap((r) => ['--resolver', r]))
    },
  })
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base })
  await app.page.goto(app.base + '/#/p/acme/dns')
})
after(async () => {
  await app?.stop()
  dns?.stdin.end()
  dns?.kill('SIGTERM')
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const row = (page, text) => page.getByTestId('dns-results').locator('tbody tr', { hasText: text })

test('a check before the cutover shows each TTL, the record to publish, and copies it in one click', async () => {
  const { page } = app
  await page.getByRole('button', { name: 'Run check' }).click()
  await page.getByTestId('dns-results').waitFor()
  assert.match(await page.getByTestId('dns-summary').innerText(), /1 passed, 4 failed/)
  const mx = row(page, 'Mail exchanger')
  const text = await mx.innerText()
  assert.match(text, /TTL too long/)
  assert.match(text, /TTL 86400/)
  assert.match(text, /Lower the TTL of acme\.example MX from 86400 to 300 s/)
  await mx.getByRole('button', { name: /Copy: acme\.example\. 300 IN MX 10 mail\.acme\.example\./ }).click()
  await mx.getByText('Copied').waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'acme.example. 300 IN MX 10 mail.acme.example.')
  const verify = row(page, 'domain verification')
  assert.match(await verify.innerText(), /OK/)
  assert.match(await verify.innerText(), /MS=ms12345678/)
  assert.match(await page.getByTestId('safe-switch').innerText(), /still 86400 s .* lower it to 300 s, then wait 1 day before switching/)
  const shown = JSON.parse(cli(app.db, '--json', 'dns', 'show', '--project', 'acme'))
  assert.equal(shown.report.failed, 4)
  await app.shot('dns-before')
})

test('once the TTLs are lowered the page says when it is safe to switch, and the step is marked done from the check', async () => {
  const { page } = app
  await dnsCommand(`auth ${files.short}`)
  await page.getByRole('button', { name: 'Run check' }).click()
  await page.getByTestId('dns-summary').getByText('Check #2').waitFor()
  assert.match(await page.getByTestId('dns-summary').innerText(), /5 passed, 0 failed/)
  assert.match(await page.getByTestId('safe-switch').innerText(),
    /^TTL lowered from 86400 to 300 at \d\d:\d\d on \w+day \d+ \w+: safe to switch after \d\d:\d\d on \w+day \d+ \w+\.$/)
  const ev = page.getByTestId('dns-evidence').locator('tr[data-step=lower_ttl]')
  await ev.getByRole('button', { name: /Mark .* done from the DNS check/ }).click()
  await ev.getByText('status: done').waitFor()
  const tl = JSON.parse(cli(app.db, '--json', 'timeline', '--project', 'acme'))
  const step = tl.steps.find((s) => s.key === 'lower_ttl')
  assert.equal(step.status, 'done')
  assert.match(step.note, /^DNS check #2 \(before, /)
  // The timeline shows the evidence beside its steps.
  await page.getByRole('tab', { name: 'Timeline' }).click()
  const verifyStep = page.locator('tr[data-step=verify_domain] [data-evidence=verify_domain]')
  await verifyStep.waitFor()
  assert.match(await verifyStep.innerText(), /DNS check #2 .*passes/)
  await verifyStep.getByRole('button', { name: /done from the DNS check/ }).click()
  await page.locator('tr[data-step=verify_domain].status-done').waitFor()
  await app.shot('dns-timeline')
})

test('after the switch, propagation counts the resolvers that see the new MX and names the old value left', async () => {
  const { page } = app
  await dnsCommand(`auth ${files.switched}`)
  for (const i of [0, 1, 2, 3]) await dnsCommand(`resolver ${i} ${files.switched}`)
  await page.getByRole('tab', { name: 'DNS' }).click()
  await page.getByLabel('After the switch').check()
  await page.getByRole('button', { name: 'Run check' }).click()
  await page.getByTestId('propagation').waitFor()
  const prop = await page.getByTestId('propagation').innerText()
  assert.match(prop, /4 of 5 resolvers see the new MX \(acme\.example\)/)
  assert.match(prop, /4 of 5 resolvers see the new Autodiscover/)
  assert.match(prop, /127\.0\.0\.1:\d+ still answers 10 mail\.acme\.example\./)
  const mx = row(page, 'Mail exchanger')
  assert.match(await mx.innerText(), /Propagating/)
  assert.match(await mx.innerText(), /Nothing to change at the DNS host/)
  await app.shot('dns-after')
})

test('a bad resolver address is shown next to its field and not saved', async () => {
  const { page } = app
  await page.fill('textarea[name=resolvers]', 'dns.google')
  await page.getByRole('button', { name: 'Save settings' }).click()
  const field = page.locator('.field.has-error', { hasText: 'Resolvers' })
  await field.waitFor()
  assert.match(await field.innerText(), /“dns\.google”: expected an IP address/)
  const setup = JSON.parse(cli(app.db, '--json', 'dns', 'records', '--project', 'acme'))
  assert.equal(setup.settings.resolvers.length, 5)
  assert.deepEqual(app.pageErrors, [])
})
