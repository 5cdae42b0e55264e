// A specialist makes the DNS switch at the customer's DNS host from the DNS page: the change
// is shown record by record with its fingerprint, nothing is sent before "Apply", and the
// rollback puts the old records back. The DNS host is Cloudflare's API fake on loopback
// (backend/dnsupdate/dnsupdatetest/cmd/cloudflare-fake), which checks every request's shape.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startApp, cli, repo } from './harness.mjs'

const zoneID = '023e105f4ecef8ad9ca31a8372d0c353'
const old = ['MX acme.example 300 mail.acme.example 10', 'TXT acme.example 300 v=spf1 a:mail ~all', 'CNAME autodiscover.acme.example 300 mail.acme.example']
let app, cf, shapeErrors = ''

before(async () => {
  const helper = join(repo, 'build', 'bin', 'cloudflare-fake')
  execFileSync('go', ['build', '-o', helper, './backend/dnsupdate/dnsupdatetest/cmd/cloudflare-fake'], { cwd: repo, stdio: 'inherit' })
  cf = spawn(helper, ['-token', 'cf-token', '-zone-id', zoneID, ...old], { stdio: ['pipe', 'pipe', 'pipe'] })
  cf.stderr.on('data', (d) => (shapeErrors += d))
  const lines = createInterface({ input: cf.stdout })[Symbol.asyncIterator]()
  const { url } = JSON.parse((await lines.next()).value)
  app = await startApp({
    seed: (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365',
        '--cutover', '2099-05-14 18:00', '--tz', 'America/Toronto')
      process.env.CUTOVER_DNS_SECRET = 'cf-token'
      try {
        cli(db, 'dns', 'host', 'set', '--project', 'acme', '--kind', 'cloudflare', '--zone-id', zoneID, '--api-url', url)
      } finally {
        delete process.env.CUTOVER_DNS_SECRET
      }
    },
  })
  await app.page.goto(app.base + '/#/p/acme/dns')
})
after(async () => {
  await app?.stop()
  cf?.stdin.end()
  cf?.kill('SIGTERM')
})

test('the switch is shown record by record, applied only once confirmed, and rolled back', async () => {
  const { page } = app
  const box = page.getByTestId('dns-host')
  // A bad zone ID is named next to its field and not saved.
  await box.getByLabel('Zone ID').fill('not-an-id')
  await box.getByRole('button', { name: 'Save DNS host' }).click()
  await box.locator('.field-error', { hasText: '32 hexadecimal digits' }).waitFor()
  await box.getByLabel('Zone ID').fill(zoneID)

  await box.getByRole('button', { name: 'Switch MX, SPF, Autodiscover' }).click()
  const plan = page.getByTestId('dns-plan')
  await plan.waitFor()
  const text = await plan.innerText()
  assert.match(text, /Switch in zone acme\.example, 3 changes/)
  assert.match(text, /MX acme\.example 300: mail\.acme\.example 10 → acme-example\.mail\.protection\.outlook\.com 0/)
  assert.match(text, /CNAME autodiscover\.acme\.example 300: mail\.acme\.example → autodiscover\.outlook\.com/)
  // Shown, not sent: the host still has the old records.
  assert.equal(JSON.parse(cli(app.db, '--json', 'dns', 'changes', '--project', 'acme')).length, 0)
  await app.shot('dns-host-plan')

  // Confirmed for the timeline's time (the switch window's start), then cancelled: still nothing sent.
  await plan.getByRole('button', { name: "Make them at the timeline's time" }).click()
  const sched = box.getByTestId('dns-scheduled').locator('tbody tr', { hasText: 'switch' })
  await sched.filter({ hasText: /Thu, May 14, 2099, 18:00 EDT\s*switch\s*pending/ }).waitFor()
  await sched.getByRole('button', { name: 'Cancel' }).click()
  await sched.filter({ hasText: 'cancelled' }).waitFor()
  assert.equal(JSON.parse(cli(app.db, '--json', 'dns', 'changes', '--project', 'acme')).length, 0)

  await box.getByRole('button', { name: 'Switch MX, SPF, Autodiscover' }).click()
  await plan.getByRole('button', { name: 'Apply these 3 changes' }).click()
  await box.getByTestId('dns-applied').filter({ hasText: 'applied' }).waitFor()
  await box.getByTestId('dns-history').locator('tbody tr', { hasText: 'switch' }).waitFor()

  await box.getByRole('button', { name: 'Roll back the latest change' }).click()
  await plan.getByText('Rollback in zone acme.example, 3 changes').waitFor()
  assert.match(await plan.innerText(), /acme-example\.mail\.protection\.outlook\.com 0 → mail\.acme\.example 10/)
  await plan.getByRole('button', { name: 'Apply these 3 changes' }).click()
  await box.getByTestId('dns-history').locator('tbody tr', { hasText: 'rolled back' }).waitFor()
  const changes = JSON.parse(cli(app.db, '--json', 'dns', 'changes', '--project', 'acme'))
  assert.deepEqual(changes.map((c) => [c.kind, c.state]), [['rollback', 'applied'], ['switch', 'applied']])
  assert.equal(shapeErrors, '', 'every request matched the documented shapes')
  assert.deepEqual(app.pageErrors, [])
  await app.shot('dns-host-rolled-back')
})
