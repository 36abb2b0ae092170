import { describe, expect, it } from 'vitest';
import {
  controlSubject,
  instanceSubject,
  ownerKey,
  ownerSubject,
  ownersBucketName,
  progressStreamName,
  progressSubject,
  subjectToken,
  typeSubject,
} from '../src/index.js';

describe('subjects', () => {
  it('should build the documented subjects', () => {
    expect(typeSubject('ns', 'team.writer')).toBe('troupe.ns.agent.team.writer');
    expect(instanceSubject('ns', 'team.writer', 'u:1')).toBe('troupe.ns.agent.team.writer.u:1');
    expect(progressSubject('ns', 'run-1')).toBe('troupe.ns.progress.run-1');
    expect(controlSubject('ns', 'run-1')).toBe('troupe.ns.control.run-1');
    expect(ownerSubject('ns', 'W1', 'team.writer', 'k')).toBe('troupe.ns.worker.W1.agent.team.writer.k');
    expect(progressStreamName('demo')).toBe('TROUPE_DEMO_PROGRESS');
    expect(ownersBucketName('demo')).toBe('troupe_demo_owners');
  });

  it('should keep safe tokens and escape everything else injectively', () => {
    expect(subjectToken('run_1-A')).toBe('run_1-A');
    expect(subjectToken('a.b')).toBe('a=2eb');
    expect(subjectToken('a b*>')).toBe('a=20b=2a=3e');
    expect(subjectToken('é')).toBe('=c3=a9');
    expect(subjectToken('')).toBe('=');
    const inputs = ['a.b', 'a=2eb', 'a=2e', 'a.', '=', '', 'x y', 'x=20y'];
    expect(new Set(inputs.map(subjectToken)).size).toBe(inputs.length);
    for (const token of inputs.map(subjectToken)) expect(token).toMatch(/^[A-Za-z0-9_=-]+$/);
  });

  it('should make owner keys valid KV keys for every valid agent key', () => {
    expect(ownerKey('team.writer', 'user:1@x+y=z')).toBe('team.writer.user=3a1=40x=2by=3dz');
    expect(ownerKey('t', 'plain-key_1')).toBe('t.plain-key_1');
  });
});
