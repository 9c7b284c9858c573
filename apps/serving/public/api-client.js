// Bearer-token handling for the dashboard and docs pages: ?token= or a prompt, kept in sessionStorage.
const KEY = 'lambda-iot-token';

export function currentToken() {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    // Keep the token out of the address bar (and out of copied links and history).
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : ''));
    return fromUrl;
  }
  return sessionStorage.getItem(KEY);
}

export function setToken(token) {
  sessionStorage.setItem(KEY, token);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path) {
  const token = currentToken();
  const res = await fetch(path, {
    headers: { authorization: `Bearer ${token ?? ''}`, accept: 'application/json' },
  });
  if (!res.ok) {
    let message = res.statusText;
    try {
      message = (await res.json()).message ?? message;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, message);
  }
  return res.json();
}

/** Shows the token form and resolves once a token was entered. */
export function askForToken(form) {
  form.hidden = false;
  return new Promise((resolve) => {
    form.addEventListener(
      'submit',
      (e) => {
        e.preventDefault();
        setToken(new FormData(form).get('token'));
        form.hidden = true;
        resolve();
      },
      { once: true },
    );
  });
}
