/**
 * The README stays a front door, and the documentation's links to the repository's files and to
 * headings of the same page still lead somewhere after files move.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
];

/** A page's text outside code blocks, where headings are headings. */
const outsideBlocks = (page: string) => readFileSync(page, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
/** ...and outside code spans too, where links are links. */
const prose = (page: string) => outsideBlocks(page).replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

const links = PAGES.flatMap((page) =>
  [...prose(page).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((link) => !/^[a-z]+:/.test(link))
    .map((link) => [relative(ROOT, page), link] as const),
);

it('README.md is at most 300 lines', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
});

it.each(links.filter(([, link]) => !link.startsWith('#') && !link.split('#')[0]?.endsWith('.md')))(
  '%s links to %s, which exists',
  (page, link) => {
    expect(existsSync(join(ROOT, dirname(page), link.split('#')[0] ?? ''))).toBe(true);
  },
);

it.each(links.filter(([, link]) => link.startsWith('#')))('%s links to its own heading %s', (page, link) => {
  const headings = [...outsideBlocks(join(ROOT, page)).matchAll(/^#+ (.*)$/gm)].map((m) =>
    anchor(m[1] ?? ''),
  );
  expect(headings).toContain(link.slice(1));
});
