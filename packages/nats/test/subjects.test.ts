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
    expect(instanceSubject('ns', 'team.writer', 'u:1')).toBe('troupe.ns.instance.team.writer.u:1');
    expect(progressSubject('ns', 'run-1')).toBe('troupe.ns.progress.run-1');
    expect(controlSubject('ns', 'run-1')).toBe('troupe.ns.control.run-1');
    expect(ownerSubject('ns', 'W1', 'team.writer', 'k')).toBe('troupe.ns.worker.W1.instance.team.writer.k');
    expect(progressStreamName('demo')).toBe('TROUPE_DEMO_PROGRESS');
    expect(ownersBucketName('demo')).toBe('troupe_demo_owners');
  });

  it('should never let a keyed subject match another type, nor the any-instance subject of a longer type', () => {
    // What each worker of `a` subscribes to, against what is sent to `a.b` (any and keyed instances).
    const served = [
      typeSubject('ns', 'a'),
      instanceSubject('ns', 'a', '*'),
      ownerSubject('ns', 'W', 'a', '*'),
    ];
    const sent = [
      typeSubject('ns', 'a.b'),
      instanceSubject('ns', 'a.b', 'k'),
      ownerSubject('ns', 'W', 'a.b', 'k'),
    ];
    for (const subscription of served)
      for (const subject of sent) expect(matches(subscription, subject)).toBe(false);
    expect(matches(instanceSubject('ns', 'a', '*'), instanceSubject('ns', 'a', 'b'))).toBe(true);
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

/** NATS subject matching: `*` is one token, `>` the rest. */
function matches(subscription: string, subject: string): boolean {
  const want = subscription.split('.');
  const got = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '>') return got.length > i;
    if (i >= got.length || (want[i] !== '*' && want[i] !== got[i])) return false;
  }
  return want.length === got.length;
}
