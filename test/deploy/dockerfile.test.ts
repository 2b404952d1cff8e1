// The Dockerfile, checked without a Docker engine: dockerfile-utils' linter finds
// nothing, and its parser (dockerfile-ast) shows what the image does: multi-stage on
// a pinned Node 24, production dependencies only, non-root with the uid the
// Kubernetes package runs as, and `node` on the compiled CLI as bin/cairn.js runs it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/fixtures.ts';

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const stages = dockerfile.getFROMs();
const final = stages.at(-1)!;

/** The instructions of the stage that starts at `from`. */
function stageInstructions(index: number): Instruction[] {
  const start = stages[index]!.getRange().start.line;
  const end = stages[index + 1]?.getRange().start.line ?? Infinity;
  return dockerfile
    .getInstructions()
    .filter((i) => i.getRange().start.line > start && i.getRange().start.line < end);
}
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const stageIndex = (name: string) => stages.findIndex((s) => s.getBuildStage() === name);

describe('Dockerfile', () => {
  it('has no finding from the dockerfile-utils linter', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage, every stage on the same pinned Node 24 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      expect(s.getImageName()).toBe('node');
      expect(s.getImageTag()).toMatch(/^24\.\d+\.\d+-/);
    }
    expect(new Set(stages.map((s) => s.getImageTag())).size).toBe(1);
    expect(dockerfile.getInstructions().map((i) => i.getKeyword())).not.toContain('ADD');
  });

  it('ships the production dependencies only (npm ci --omit=dev), and the compiled dist/ from the build stage', () => {
    const copies = stageInstructions(stages.length - 1).filter((i) => i.getKeyword() === 'COPY');
    const from = (dest: string) => {
      const c = copies.find((x) => args(x).at(-1)!.replace(/^\.\//, '') === dest);
      return c ? /--from=(\S+)/.exec(c.getTextContent())?.[1] : undefined;
    };
    const depsStage = stageIndex(from('node_modules')!);
    expect(depsStage).toBeGreaterThanOrEqual(0);
    const depsRuns = stageInstructions(depsStage)
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => args(i).join(' '));
    expect(depsRuns.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    const buildStage = stageIndex(from('dist')!);
    const buildRuns = stageInstructions(buildStage)
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => args(i).join(' '));
    expect(buildRuns).toContain('npm run build');
    // npm run build is tsc -p tsconfig.build.json, whose outDir is dist
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: { build: string };
    };
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string };
    };
    expect(build.compilerOptions.outDir).toBe('dist');
  });

  it("runs as the non-root uid and gid the Kubernetes package's pod runs as", () => {
    const users = stageInstructions(stages.length - 1).filter((i) => i.getKeyword() === 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = args(users[0]!)[0]!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    const deployment = parse(
      readFileSync(join(repoRoot, 'deploy/kubernetes/base/deployment.yaml'), 'utf8'),
    ) as {
      spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } };
    };
    expect(uid).toBe(deployment.spec.template.spec.securityContext.runAsUser);
    expect(gid).toBe(deployment.spec.template.spec.securityContext.runAsGroup);
    // USER comes before the entry point, so nothing after it runs as root
    const keywords = stageInstructions(stages.length - 1).map((i) => i.getKeyword());
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('ENTRYPOINT'));
  });

  it('runs node on the compiled CLI with the flags bin/cairn.js asks for', () => {
    const entry = dockerfile.getENTRYPOINTs();
    expect(entry).toHaveLength(1);
    const argv = JSON.parse(entry[0]!.getArgumentsContent()!) as string[];
    const shebang = readFileSync(join(repoRoot, 'bin/cairn.js'), 'utf8').split('\n')[0]!;
    expect(shebang).toMatch(/^#!\/usr\/bin\/env -S node/);
    const flags = shebang.replace('#!/usr/bin/env -S node', '').trim().split(/\s+/).filter(Boolean);
    expect(argv).toEqual(['node', ...flags, 'bin/cairn.js']);
    expect(readFileSync(join(repoRoot, 'bin/cairn.js'), 'utf8')).toContain("from '../dist/cli/main.js'");
    expect(final.getBuildStage()).toBeNull();
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = new Set(ignore.slice(1).map((l) => l.replace(/^!/, '').replace(/\/$/, '')));
    for (const c of dockerfile.getInstructions().filter((i) => i.getKeyword() === 'COPY')) {
      if (c.getTextContent().includes('--from=')) continue;
      for (const src of args(c).slice(0, -1)) {
        const name = src.replace(/\*$/, '').replace(/\/$/, '');
        expect(allowed, src).toContain(name);
        // a wildcard may match nothing (functions/ before it exists); a plain source must exist
        if (!src.endsWith('*')) expect(existsSync(join(repoRoot, name)), src).toBe(true);
      }
    }
  });

  it('exposes the port the all-in-one Deployment serves on', () => {
    const patch = parse(
      readFileSync(join(repoRoot, 'deploy/kubernetes/components/all-in-one/deployment-patch.yaml'), 'utf8'),
    ) as {
      spec: { template: { spec: { containers: { ports: { containerPort: number }[] }[] } } };
    };
    const expose = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'EXPOSE')
      .flatMap(args);
    expect(expose).toEqual([String(patch.spec.template.spec.containers[0]!.ports[0]!.containerPort)]);
  });
});
