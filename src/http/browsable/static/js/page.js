// Progressive enhancement for the browsable API page. The page works fully without this file; it only
// closes the format menu on outside click or Escape, shows the OPTIONS response, shows an example for the
// chosen media type, lets Ctrl/Cmd+Enter submit the content form, turns the generated form and the raw content
// form into two tabs, and adds and removes array rows in the generated form. It never writes markup: only text
// (textContent), properties such as placeholder and open, and clones of rows the server rendered.
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

  // The generated form and the raw content form: without script both are shown, one under the other.
  for (const section of document.querySelectorAll('section.content[data-active]')) {
    const tabs = [...section.querySelectorAll('[role="tab"]')];
    const tablist = section.querySelector('[role="tablist"]');
    if (tabs.length === 0 || !tablist) continue;
    const select = (tab, focus) => {
      for (const other of tabs) {
        const selected = other === tab;
        other.setAttribute('aria-selected', String(selected));
        other.tabIndex = selected ? 0 : -1;
        const panel = document.getElementById(other.getAttribute('aria-controls') ?? '');
        if (panel) panel.hidden = !selected;
      }
      if (focus) tab.focus();
    };
    for (const tab of tabs) {
      tab.addEventListener('click', () => select(tab, false));
      tab.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
        event.preventDefault();
        const step = event.key === 'ArrowRight' ? 1 : tabs.length - 1;
        select(tabs[(tabs.indexOf(tab) + step) % tabs.length], true);
      });
    }
    tablist.hidden = false;
    section.classList.add('tabbed');
    select(tabs.find((tab) => tab.getAttribute('aria-selected') === 'true') ?? tabs[0], false);
  }

  // Array rows: names end with the row index (`_f:s:["tags",2]`), renumbered after every change so the rows
  // are sent in order; ids stay unique through a counter.
  let rowIds = 0;
  for (const fieldset of document.querySelectorAll('fieldset.array')) {
    const list = fieldset.querySelector('ol.rows');
    const add = fieldset.querySelector('button.row-add');
    if (!list || !add) continue;
    const max = Number(fieldset.dataset.max ?? '50');
    const renumber = () => {
      const rows = [...list.children];
      rows.forEach((row, index) => {
        for (const control of row.querySelectorAll('[name]')) {
          control.name = control.name.replace(/\d+\]$/, `${index}]`);
          const label = control.getAttribute('aria-label');
          if (label) control.setAttribute('aria-label', label.replace(/\d+$/, String(index + 1)));
        }
      });
      add.hidden = rows.length >= max;
      for (const button of list.querySelectorAll('button.row-remove')) button.hidden = rows.length <= 1;
    };
    add.addEventListener('click', () => {
      const last = list.lastElementChild;
      if (!last) return;
      const row = last.cloneNode(true);
      for (const error of row.querySelectorAll('.field-error')) error.remove();
      for (const control of row.querySelectorAll('[name]')) {
        control.value = '';
        control.required = false;
        control.removeAttribute('aria-invalid');
        control.removeAttribute('aria-describedby');
        rowIds += 1;
        control.id = `${fieldset.id}-added-${rowIds}`;
      }
      list.append(row);
      renumber();
      row.querySelector('[name]')?.focus();
    });
    list.addEventListener('click', (event) => {
      const button = event.target.closest?.('button.row-remove');
      if (!button || list.children.length <= 1) return;
      button.closest('li')?.remove();
      renumber();
    });
    renumber();
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
