// Progressive enhancement for the browsable API page. The page works fully without this file; it only
// closes the format menu on outside click or Escape, shows the OPTIONS response, shows an example for the
// chosen media type, and lets Ctrl/Cmd+Enter submit the content form. It never writes markup: only text
// (textContent) and properties such as placeholder and open.
(() => {
  const boundary = 'microservices-form';
  const multipartExample = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="key"',
    '',
    'value',
    `--${boundary}--`,
  ].join('\n');
  const examples = {
    'application/json': '{"key": "value"}',
    'application/x-www-form-urlencoded': 'key=value&other=1',
    [`multipart/form-data; boundary=${boundary}`]: multipartExample,
  };

  for (const menu of document.querySelectorAll('details.menu')) {
    document.addEventListener('click', (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        menu.querySelector('summary')?.focus();
      }
    });
  }

  // OPTIONS answers 204 with an Allow header, which a plain form submission cannot show (the browser stays on
  // the page), so with script the request is sent directly and its status line and headers are shown.
  const optionsForm = document.querySelector('form.inline-form input[name="_method"][value="OPTIONS"]')?.form;
  optionsForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    let shown = document.querySelector('pre.options-result');
    if (!shown) {
      shown = document.createElement('pre');
      shown.className = 'options-result';
      shown.setAttribute('aria-live', 'polite');
      document.querySelector('.page-head')?.after(shown);
    }
    try {
      const response = await fetch(optionsForm.action, { method: 'OPTIONS', credentials: 'same-origin' });
      const lines = [
        `OPTIONS ${new URL(optionsForm.action).pathname}`,
        `HTTP ${response.status} ${response.statusText}`,
      ];
      for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
      shown.textContent = lines.join('\n');
    } catch (error) {
      shown.textContent = `OPTIONS failed: ${error}`;
    }
  });

  const form = document.querySelector('form.content-form');
  if (!form) return;
  const select = form.querySelector('select[name="_content_type"]');
  const textarea = form.querySelector('textarea[name="_content"]');
  const showExample = () => {
    if (select && textarea) textarea.placeholder = examples[select.value] ?? '';
  };
  // A multipart body is tedious to start by hand, so an empty textarea gets a template to edit.
  select?.addEventListener('change', () => {
    showExample();
    if (textarea && select.value.startsWith('multipart/') && textarea.value.trim() === '') {
      textarea.value = multipartExample;
    }
  });
  showExample();
  textarea?.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
