import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const [file, y, h, out] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 360, height: 800 } });
await p.setContent(`<style>body{margin:0}img{display:block}</style><img src="data:image/png;base64,${readFileSync(file).toString('base64')}">`);
await p.waitForFunction(() => document.images[0].complete);
await p.screenshot({ path: out, fullPage: true, clip: { x: 0, y: Number(y), width: 360, height: Number(h) } });
await b.close();
