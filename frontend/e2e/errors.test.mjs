// Bad input shows its hint next to the field, the same in the browser and in the desktop
// window. The window path is the one Wails takes: the page calls the binding
// window.go.main.App.Call, and a failed call rejects with new Error(<the envelope as
// JSON>) (the binding's ErrorFormatter, fault.Wire). Here that binding is a stand-in
// that forwards to the same server and rejects exactly so, so client.ts runs its window
// branch against the real backend; scripts/desktop-check.sh does the same in the real
// window under Xvfb.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { startApp, cli } from './harness.mjs'

let app

before(async () => {
  app = await startApp({
    seed: (db) =>
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365', '--source', 'imaps://mail.old.example',
        '--dest', 'imaps://outlook.office365.com', '--cutover', '2099-05-14 18:00', '--tz', 'UTC'),
  })
})
after(async () => {
  await app?.stop()
})

/** A page of the browser face, or of the window face (the Wails binding stand-in). */
async function open(face) {
  const page = await app.page.context().newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  if (face === 'window') {
    await page.addInitScript(() => {
      window.go = {
        main: {
          App: {
            // As Wails: the arguments travel as JSON, an error comes back as the
            // message of an Error, which the ErrorFormatter made the envelope's JSON.
            Call: async (method, args) => {
              const res = await fetch(`/api/call/${method}`, { method: 'POST', body: JSON.stringify(args), headers: { 'Content-Type': 'application/json' } })
              const body = await res.json()
              window.__windowCalls = (window.__windowCalls ?? 0) + 1
              if (!res.ok) throw new Error(JSON.stringify(body))
              return body.result
            },
          },
        },
      }
    })
  }
  return { page, errors }
}

for (const face of ['browser', 'window']) {
  test(`${face}: a bad time zone on the project form is named next to its field`, async () => {
    const { page, errors } = await open(face)
    await page.goto(`${app.base}/#/`)
    await page.getByRole('button', { name: 'New project' }).click()
    await page.fill('input[name=name]', 'beta')
    await page.fill('input[name=domains]', 'beta.example')
    await page.fill('input[name=cutover]', '2099-05-14T18:00')
    await page.fill('input[name=tz]', 'Mars/Olympus')
    await page.getByRole('button', { name: 'Create project' }).click()
    const tz = page.locator('.field.has-error', { hasText: 'Time zone' })
    await tz.waitFor()
    assert.match(await tz.innerText(), /“Mars\/Olympus”: expected an IANA time zone/)
    // The list above the button names the field too, worded as the backend words it.
    assert.match(await page.getByRole('alert').innerText(), /tz: "Mars\/Olympus": expected an IANA time zone/)
    if (face === 'window') assert.ok((await page.evaluate(() => window.__windowCalls)) > 0, 'the window path was not taken')
    assert.deepEqual(errors, [])
    await page.close()
  })

  test(`${face}: a bad resolver on the DNS page is named next to its field`, async () => {
    const { page, errors } = await open(face)
    await page.goto(`${app.base}/#/p/acme/dns`)
    await page.fill('textarea[name=resolvers]', 'dns.google')
    await page.getByRole('button', { name: 'Save settings' }).click()
    const field = page.locator('.field.has-error', { hasText: 'Resolvers' })
    await field.waitFor()
    assert.match(await field.innerText(), /“dns\.google”: expected an IP address/)
    if (face === 'window') assert.ok((await page.evaluate(() => window.__windowCalls)) > 0, 'the window path was not taken')
    assert.deepEqual(errors, [])
    await page.close()
  })
}
