/** The Host allow-list of the DNS-rebinding guard (CONTRACT §6, TINYOLLY_ALLOWED_HOSTS). */
import { describe, expect, it } from 'vitest';
import { hostAllowList, hostName } from './hosts.js';

describe('hostName', () => {
  it.each([
    ['localhost:5002', 'localhost'], ['LOCALHOST', 'localhost'], ['[::1]:5002', '::1'], ['[::1]', '::1'],
    ['example.com.', 'example.com'], ['127.0.0.1', '127.0.0.1'], ['', undefined], [':5002', undefined],
    ['[::1', undefined], ['[::1]x', undefined], ['a:b:c', undefined], [undefined, undefined],
  ])('reads %j as %j', (header, name) => { expect(hostName(header)).toBe(name); });
});

describe('hostAllowList', () => {
  it('allows loopback names whatever the bind host, and nothing else by default', () => {
    const allowed = hostAllowList('127.0.0.1');
    for (const h of ['localhost', 'localhost:1', 'ui.localhost:5002', '127.0.0.1:5002', '127.255.0.9', '[::1]:80']) expect(allowed(h), h).toBe(true);
    for (const h of ['attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.example', '128.0.0.1', '[::2]', '0.0.0.0', '', undefined]) expect(allowed(h), String(h)).toBe(false);
  });

  it('allows the configured bind host (a name, an IPv4 or a bare IPv6 address)', () => {
    expect(hostAllowList('192.168.1.20')('192.168.1.20:5002')).toBe(true);
    expect(hostAllowList('obs.lan')('OBS.lan')).toBe(true);
    expect(hostAllowList('fd00::5')('[fd00::5]:5002')).toBe(true);
    expect(hostAllowList('192.168.1.20')('192.168.1.21')).toBe(false);
  });

  it('allows TINYOLLY_ALLOWED_HOSTS entries, with a port only on that port', () => {
    const allowed = hostAllowList('127.0.0.1', ['tinyolly.lan', ' Proxy.Example:8443 ', '']);
    expect(allowed('tinyolly.lan:5002')).toBe(true);
    expect(allowed('proxy.example:8443')).toBe(true);
    expect(allowed('proxy.example:5002')).toBe(false);
    expect(allowed('sub.tinyolly.lan')).toBe(false);
  });
});
