// Who is sending: the bearer (or X-Device-Token) token, checked against the device registry for the named device.
import type { DeviceRegistry } from '@lambda-iot/devices';

export type AuthResult =
  { ok: true; deviceId: string } | { ok: false; reason: 'unauthorized' | 'unknown_device'; message: string };

/** The token of a request: `Authorization: Bearer <token>`, else `X-Device-Token`. */
export function tokenOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headerValue(headers['authorization']);
  if (auth !== undefined && auth.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1];
  }
  const token = headerValue(headers['x-device-token'])?.trim();
  return token === '' ? undefined : token;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function authenticate(
  registry: DeviceRegistry,
  deviceId: string | undefined,
  token: string | undefined,
): Promise<AuthResult> {
  if (token === undefined)
    return {
      ok: false,
      reason: 'unauthorized',
      message: 'missing device token (Authorization: Bearer <token>)',
    };
  if (deviceId === undefined)
    return {
      ok: false,
      reason: 'unauthorized',
      message: 'no device named (X-Device-Id header or an envelope deviceId)',
    };
  if (await registry.verifyToken(deviceId, token)) return { ok: true, deviceId };
  // Existence is checked only after a failed token, and both answers look alike to the client.
  if ((await registry.get(deviceId)) === undefined)
    return { ok: false, reason: 'unknown_device', message: `device ${deviceId} is not registered` };
  return { ok: false, reason: 'unauthorized', message: `wrong token for device ${deviceId}` };
}
