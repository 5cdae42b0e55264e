// Run by the real desktop window (CUTOVER_WINDOW_CHECK, set by scripts/desktop-check.sh)
// once its page has loaded. It checks that bad input reaches the window as the browser
// sees it: (1) the binding rejects a bad call with fault's envelope, field included;
// (2) the project form, given a bad time zone, shows the hint next to the field.
// It reports in the window's title, which the shell script reads with xwininfo:
// "Cutover check: ok <hint>" or "Cutover check: FAIL <why>".
;(async () => {
  const report = (s) => window.runtime.WindowSetTitle('Cutover check: ' + s.replace(/\s+/g, ' ').slice(0, 200))
  const until = async (f, what) => {
    for (let i = 0; i < 200; i++) {
      const v = f()
      if (v) return v
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('no ' + what + ' after 20 s')
  }
  // Two animation frames: what React rendered before this is on the screen.
  const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const button = (text) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text)
  // React reads a controlled input's value through the native setter and an input event.
  const type = (name, value) => {
    const el = document.querySelector(`input[name=${name}]`)
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, value)
    el.dispatchEvent(new Event('input', { bubbles: true }))
  }
  try {
    // 1. The binding itself.
    let env
    try {
      await window.go.main.App.Call('CreateProject', [
        { name: 'beta', domains: ['beta.example'], provider: 'm365', cutover: '2099-05-14 18:00', tz: 'Mars/Olympus' },
      ])
    } catch (e) {
      env = JSON.parse(e.message)
    }
    if (!env || env.kind !== 'input' || !(env.fields || []).some((f) => f.field === 'tz' && f.value === 'Mars/Olympus')) {
      throw new Error('the binding rejected with ' + JSON.stringify(env))
    }
    // 2. The project form, as a person fills it.
    location.hash = '#/'
    ;(await until(() => button('New project'), 'New project button')).click()
    await until(() => document.querySelector('input[name=tz]'), 'project form')
    type('name', 'beta')
    type('domains', 'beta.example')
    type('cutover', '2099-05-14T18:00')
    type('tz', 'Mars/Olympus')
    await painted() // React has applied the typed values
    button('Create project').click()
    const field = await until(
      () => [...document.querySelectorAll('.field.has-error')].find((f) => f.textContent.includes('Time zone')),
      'hint next to the Time zone field',
    )
    field.scrollIntoView({ block: 'center' })
    await painted() // the screenshot taken on "ok" shows the hint
    report('ok ' + (field.querySelector('.field-error')?.textContent ?? field.textContent))
  } catch (e) {
    report('FAIL ' + e.message)
  }
})()
