// The observer page (observer-site/, `make observer`) on a loopback port of its own: another
// origin than the ballot box, as when anyone hosts the page anywhere (observer-harness.mjs's
// serveSite, the server `make demo` uses, with the page's CSP as a header).

import { serveSite } from './observer-harness.mjs';

/** Serves observer-site/ on 127.0.0.1; resolves to {url, stop}. */
export async function startObserverServer() {
  const site = await serveSite();
  return { url: site.url, stop: site.close };
}
