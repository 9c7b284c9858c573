// Renders /openapi.json as a readable page: each route, its parameters and its responses.
import { api, ApiError, askForToken, currentToken } from '/api-client.js';

function el(tag, text, children = []) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  e.append(...children);
  return e;
}

function render(spec) {
  const root = document.getElementById('api');
  root.append(el('p', spec.info.description ?? ''));
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      root.append(el('h2', `${method.toUpperCase()} ${path}`), el('p', op.summary ?? ''));
      if (op.description) root.append(el('p', op.description));
      const params = op.parameters ?? [];
      if (params.length > 0) {
        const rows = params.map((p) =>
          el('tr', undefined, [
            el('td', undefined, [el('code', p.name)]),
            el('td', p.required ? 'required' : 'optional'),
            el(
              'td',
              [
                p.schema?.enum ? p.schema.enum.join(' | ') : p.schema?.type,
                p.schema?.default !== undefined ? `(default ${p.schema.default})` : '',
              ].join(' '),
            ),
            el('td', p.description ?? p.schema?.description ?? ''),
          ]),
        );
        root.append(
          el('table', undefined, [
            el(
              'tr',
              undefined,
              ['parameter', '', 'type', ''].map((h) => el('th', h)),
            ),
            ...rows,
          ]),
        );
      }
      const responses = Object.entries(op.responses ?? {}).map(([code, r]) =>
        el(
          'li',
          `${code}: ${r.description ?? ''} ${r.content ? `(${Object.keys(r.content).join(', ')})` : ''}`,
        ),
      );
      root.append(el('ul', undefined, responses));
    }
  }
}

async function start() {
  if (!currentToken()) await askForToken(document.getElementById('token-form'));
  try {
    render(await api('/openapi.json'));
  } catch (err) {
    document.getElementById('error').textContent = err.message;
    if (err instanceof ApiError && err.status === 401) {
      await askForToken(document.getElementById('token-form'));
      return start();
    }
  }
}

start();
