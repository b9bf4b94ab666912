// danvan — progressive enhancement. Every page works without this file.
// Plain ES2020, no dependencies, CSP-safe (no eval, no inline handlers).
(() => {
  'use strict';

  const vi = !document.documentElement.lang.startsWith('en');
  const DONE = vi ? 'Đã cập nhật kết quả.' : 'Results updated.';
  let swapped = false;          // true once this page changed history itself
  const inflight = new Map();   // target selector -> AbortController

  // Polite live region for announcements (created if the page lacks one).
  const liveRegion = () => {
    let r = document.getElementById('live-region');
    if (!r) {
      r = document.createElement('div');
      r.id = 'live-region';
      r.className = 'visually-hidden';
      r.setAttribute('aria-live', 'polite');
      document.body.append(r);
    }
    return r;
  };
  const announce = (msg) => {
    const r = liveRegion();
    r.textContent = '';
    setTimeout(() => { r.textContent = msg; }, 50); // re-announce identical text
  };

  const isGet = (form) => (form.getAttribute('method') || 'get').toLowerCase() === 'get';

  // URL a GET form would navigate to (action + serialized fields).
  const formUrl = (form, submitter) => {
    const url = new URL(form.getAttribute('action') || '', location.href);
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    const params = new URLSearchParams();
    for (const [k, v] of data) if (typeof v === 'string') params.append(k, v);
    url.search = params.toString();
    url.hash = '';
    return url.href;
  };

  // Fetch `url`, replace `sel` with the same element from the response.
  const swap = async (url, sel, push, message) => {
    const target = document.querySelector(sel);
    if (!target) { location.href = url; return; }
    inflight.get(sel)?.abort();
    const ctl = new AbortController();
    inflight.set(sel, ctl);
    target.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(url, {
        headers: { 'X-Requested-With': 'fetch' },
        credentials: 'same-origin',
        signal: ctl.signal,
      });
      const type = res.headers.get('Content-Type') || '';
      if (!res.ok || !type.includes('text/html')) throw new Error('HTTP ' + res.status);
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.querySelector(sel);
      if (!fresh) throw new Error('fragment missing');
      // Keep keyboard focus on the "same" control if it lived inside the target.
      const active = document.activeElement;
      const keepId = target.contains(active) && active.id;
      const caret = keepId && typeof active.selectionStart === 'number' ? active.selectionStart : null;
      fresh.removeAttribute('aria-busy');
      target.replaceWith(document.adoptNode(fresh));
      if (keepId) {
        const el = document.getElementById(keepId);
        if (el) {
          el.focus({ preventScroll: true });
          if (caret !== null) try { el.setSelectionRange(caret, caret); } catch (_) { /* type without selection */ }
        }
      }
      const finalUrl = res.redirected ? res.url : url;
      history[push ? 'pushState' : 'replaceState']({ swap: true }, '', finalUrl);
      swapped = true;
      if (doc.title) document.title = doc.title;
      announce(message || DONE);
    } catch (err) {
      if (err.name === 'AbortError') return; // superseded by a newer request
      location.href = url;                 // any failure: plain navigation
    } finally {
      if (inflight.get(sel) === ctl) {
        inflight.delete(sel);
        target.removeAttribute('aria-busy');
      }
    }
  };

  // Back/forward across swapped states: reload to show the real page.
  window.addEventListener('popstate', (e) => {
    if (swapped || (e.state && e.state.swap)) location.reload();
  });

  // Links: a[data-swap="#id"] (plain clicks only; new tabs etc. stay native).
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-swap]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if ((a.target && a.target !== '_self') || a.hasAttribute('download') || a.origin !== location.origin) return;
    e.preventDefault();
    swap(a.href, a.dataset.swap, true, a.dataset.swapMessage);
  });

  // Submissions: confirmation, GET fragment swap, POST double-submit guard.
  const timers = new WeakMap(); // form -> debounce timer of live filters
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    if (e.defaultPrevented) return;
    clearTimeout(timers.get(form));
    if (isGet(form)) {
      if (form.dataset.swap) {
        e.preventDefault();
        swap(formUrl(form, e.submitter), form.dataset.swap, true, form.dataset.swapMessage);
      }
      return;
    }
    if (form.getAttribute('method')?.toLowerCase() === 'dialog') return;
    // Defer so the clicked button's name/value is still part of the submission.
    setTimeout(() => {
      form.setAttribute('aria-busy', 'true');
      for (const el of form.elements) {
        if (el.type === 'submit' && !el.disabled) { el.disabled = true; el.dataset.autoDisabled = ''; }
      }
    }, 0);
    // Safety net: responses that do not navigate (file downloads) must not lock the form.
    setTimeout(() => release(form), 15000);
  });

  const release = (form) => {
    for (const el of form.elements) {
      if ('autoDisabled' in el.dataset) { el.disabled = false; delete el.dataset.autoDisabled; }
    }
    form.removeAttribute('aria-busy');
  };
  // Page restored from the back/forward cache: re-enable what we disabled.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) for (const f of document.forms) release(f);
  });

  // Live filters: form[data-live] submits on change, or 300 ms after typing stops.
  const liveSubmit = (form) => {
    clearTimeout(timers.get(form));
    if (!form.dataset.swap) { form.submit(); return; }
    const url = formUrl(form);
    if (url !== location.href) swap(url, form.dataset.swap, false, form.dataset.swapMessage);
  };
  const isTyping = (el) => el.matches('input[type="text"], input[type="search"], input:not([type])');
  document.addEventListener('change', (e) => {
    const form = e.target.form;
    if (form && form.matches('form[data-live]') && !isTyping(e.target)) liveSubmit(form);
  });
  const onType = (e) => {
    const form = e.target.form;
    if (!form || !form.matches('form[data-live]') || !isTyping(e.target) || e.isComposing) return;
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(() => liveSubmit(form), 300));
  };
  document.addEventListener('input', onType);
  document.addEventListener('compositionend', onType); // Vietnamese IMEs (Telex/VNI)

  // Password visibility toggle: button[data-toggle-password="#id"].
  document.querySelectorAll('button[data-toggle-password]').forEach((btn) => {
    const input = document.querySelector(btn.dataset.togglePassword);
    if (!input) return;
    if (input.id) btn.setAttribute('aria-controls', input.id);
    if (!btn.hasAttribute('aria-pressed')) btn.setAttribute('aria-pressed', 'false');
    btn.hidden = false; // may ship hidden so no-JS users never see a dead button
    btn.addEventListener('click', (e) => {
      e.preventDefault();
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      btn.setAttribute('aria-pressed', String(show));
      const label = show ? btn.dataset.labelHide : btn.dataset.labelShow;
      if (label) btn.textContent = label;
    });
  });

  // Copy a link: button[data-copy="#input"], shown only where the clipboard can be written
  // (without this script the readonly field can still be selected and copied by hand).
  document.querySelectorAll('button[data-copy]').forEach((btn) => {
    const input = document.querySelector(btn.dataset.copy);
    if (!input || !navigator.clipboard || !window.isSecureContext) return;
    btn.setAttribute('aria-controls', input.id);
    btn.hidden = false;
    btn.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        announce(btn.dataset.copied || '');
      } catch (_) {
        input.select(); // let the reader copy it themselves
      }
    });
  });
})();
