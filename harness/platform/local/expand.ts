/**
 * Kubernetes' dependent-variable expansion, as the kubelet applies it: `$(VAR)` in `command`,
 * `args` and `env` values becomes VAR's value; `$$` is an escaped `$`; a reference to a name that
 * is not defined stays as written. In `command` and `args` every variable of the container may be
 * referenced; in an env value, only those declared before it.
 */
export function expand(text: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$' || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = text.indexOf(')', i + 2);
      const name = end === -1 ? null : text.slice(i + 2, end);
      if (name !== null && Object.hasOwn(vars, name)) {
        out += vars[name];
        i = end;
      } else {
        out += c; // unresolvable: kept as written, like the kubelet
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** A container's env in order: each value may refer to those before it. */
export function expandEnv(entries: { name: string; value: string }[], base: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const declared: Record<string, string> = {};
  for (const { name, value } of entries) {
    declared[name] = expand(value, declared);
    env[name] = declared[name];
  }
  return env;
}
