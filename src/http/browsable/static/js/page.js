// Progressive enhancement for the browsable API page. The page works fully without this file; it only
// closes the format menu on outside click or Escape, shows an example for the chosen media type, and lets
// Ctrl/Cmd+Enter submit the content form. It never writes markup, only properties such as placeholder and open.
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
