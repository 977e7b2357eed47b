import { describe, expect, it } from 'vitest';
import { expand, expandEnv } from './expand.ts';

describe('$(VAR) expansion, as the kubelet does it', () => {
  const vars = { POD_IP: '10.0.0.7', NAME: 'redis-cluster-0' };
  it('replaces defined references anywhere in the text', () => {
    expect(expand('--cluster-announce-ip $(POD_IP)', vars)).toBe('--cluster-announce-ip 10.0.0.7');
    expect(expand('$(NAME).redis-cluster:$(POD_IP)', vars)).toBe('redis-cluster-0.redis-cluster:10.0.0.7');
  });
  it('keeps undefined and unterminated references as written', () => {
    expect(expand('$(MISSING) $(POD_IP', vars)).toBe('$(MISSING) $(POD_IP');
    expect(expand('$HOME $', vars)).toBe('$HOME $');
  });
  it('treats $$ as an escaped $', () => {
    expect(expand('$$(POD_IP) costs $$5', vars)).toBe('$(POD_IP) costs $5');
  });
  it('lets an env value refer only to the variables declared before it', () => {
    const env = expandEnv([
      { name: 'A', value: 'x' },
      { name: 'B', value: '$(A)-$(C)' },
      { name: 'C', value: 'z' },
    ]);
    expect(env).toEqual({ A: 'x', B: 'x-$(C)', C: 'z' });
  });
});
