import { errorFromWire, errorToWire, HandlerError, registerWireError, TroupeError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { PlanError, RoutingError } from '../src/index.js';

describe('agents errors across the wire', () => {
  it('should give back a PlanError with its issues and attempts', () => {
    const sent = new PlanError('no valid plan after 3 attempts', {
      issues: [{ path: 'subtasks.1.dependencies', message: "unknown sub-task 'x'" }],
      attempts: 3,
    });
    const got = errorFromWire(JSON.parse(JSON.stringify(errorToWire(sent))));
    expect(got).toBeInstanceOf(PlanError);
    expect(got).toMatchObject({
      code: 'PLAN_INVALID',
      message: sent.message,
      attempts: 3,
      issues: sent.issues,
    });
  });

  it('should give back a RoutingError with its data', () => {
    const sent = new RoutingError("executor 'coder' is not registered", {
      subtaskId: 's1',
      executor: 'coder',
      registered: ['react'],
    });
    const got = errorFromWire(JSON.parse(JSON.stringify(errorToWire(sent))));
    expect(got).toBeInstanceOf(RoutingError);
    expect(got.data).toEqual({ subtaskId: 's1', executor: 'coder', registered: ['react'] });
  });

  it('should fall back to HandlerError when a rebuild cannot read the wire form, and keep core codes', () => {
    const got = errorFromWire({ code: 'ROUTE_UNREGISTERED', message: 'no data', name: 'RoutingError' });
    expect(got).toBeInstanceOf(HandlerError);
    expect(got.code).toBe('ROUTE_UNREGISTERED');
    expect(() => registerWireError('TIMEOUT', () => new TroupeError('TIMEOUT', 'x'))).toThrow(
      /core error code/,
    );
  });
});
