// The SGLang router's approximate radix tree (sgl-router `Tree`): the text of every prompt routed,
// character by character, with the replicas ("tenants") each prefix was sent to. The router reads it
// instead of asking servers what they cache; it never sees evictions. Its default size cap (2^26
// characters per tenant) is far above what one batch routes here, so eviction is left out.

interface RadixNode {
  edge: string;
  readonly children: Map<string, RadixNode>;
  /** Tenants that sent text through this node, with the tick of their latest visit. */
  readonly tenants: Map<number, number>;
}

function node(edge: string, tenants: Map<number, number> = new Map()): RadixNode {
  return { edge, children: new Map(), tenants };
}

/** Length of the common prefix of `edge` and `text` from `at`. */
function common(edge: string, text: string, at: number): number {
  let n = 0;
  while (n < edge.length && at + n < text.length && edge.charCodeAt(n) === text.charCodeAt(at + n)) n++;
  return n;
}

/** A longest match: how many leading characters some tenant already sent, and the most recent such tenant. */
export interface RadixMatch {
  readonly length: number;
  readonly tenant: number | undefined;
}

export class TextRadix {
  private readonly root = node('');
  /** Characters per tenant (each node's edge counted once per tenant through it). */
  private readonly chars = new Map<number, number>();
  private tick = 0;

  /** The longest prefix of `text` any tenant has sent, and the tenant that sent it most recently. */
  match(text: string): RadixMatch {
    let at = 0;
    let best: RadixMatch = { length: 0, tenant: undefined };
    for (let cur = this.root; at < text.length; ) {
      const child = cur.children.get(text[at] ?? '');
      if (child === undefined) break;
      const n = common(child.edge, text, at);
      if (n === 0) break;
      best = { length: at + n, tenant: latest(child.tenants) };
      if (n < child.edge.length) break;
      at += n;
      cur = child;
    }
    return best;
  }

  /** How many leading characters of `text` were sent to `tenant`. */
  matchFor(text: string, tenant: number): number {
    let at = 0;
    for (let cur = this.root; at < text.length; ) {
      const child = cur.children.get(text[at] ?? '');
      if (child === undefined || !child.tenants.has(tenant)) break;
      const n = common(child.edge, text, at);
      if (n < child.edge.length) return at + n;
      at += n;
      cur = child;
    }
    return at;
  }

  /** Records that `tenant` was sent `text`. */
  insert(text: string, tenant: number): void {
    const tick = ++this.tick;
    this.visit(this.root, tenant, tick);
    let cur = this.root;
    let at = 0;
    while (at < text.length) {
      const key = text[at] ?? '';
      const child = cur.children.get(key);
      if (child === undefined) {
        const leaf = node(text.slice(at));
        cur.children.set(key, leaf);
        this.visit(leaf, tenant, tick);
        return;
      }
      const n = common(child.edge, text, at);
      if (n < child.edge.length) this.split(child, n);
      this.visit(child, tenant, tick);
      at += n;
      cur = child;
    }
  }

  /** Characters of the tree `tenant` has sent (its approximate cache footprint). */
  size(tenant: number): number {
    return this.chars.get(tenant) ?? 0;
  }

  /** Cuts `n`'s edge after `at` characters: `n` keeps the head, a new child the tail and the old children. */
  private split(n: RadixNode, at: number): void {
    const tail = node(n.edge.slice(at), new Map(n.tenants));
    for (const [k, c] of n.children) tail.children.set(k, c);
    n.children.clear();
    n.children.set(tail.edge[0] ?? '', tail);
    n.edge = n.edge.slice(0, at);
  }

  private visit(n: RadixNode, tenant: number, tick: number): void {
    if (!n.tenants.has(tenant)) this.chars.set(tenant, this.size(tenant) + n.edge.length);
    n.tenants.set(tenant, tick);
  }
}

function latest(tenants: ReadonlyMap<number, number>): number | undefined {
  let best: number | undefined;
  let at = -1;
  for (const [t, tick] of tenants) if (tick > at) [best, at] = [t, tick];
  return best;
}
