// Object-key globs: `*` matches within one path segment, `**` across segments, `?` one character,
// `[abc]` a class. Used by FETCH and lake_objects().

/** Compiles a glob over '/'-separated keys into an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The longest leading folder of a glob that holds no wildcard (where listing starts). */
export function globBase(glob: string): string {
  const first = glob.search(/[*?[]/);
  if (first < 0) return glob;
  const slash = glob.lastIndexOf('/', first);
  return slash < 0 ? '' : glob.slice(0, slash);
}
