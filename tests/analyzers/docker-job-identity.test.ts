/**
 * The job identity a container's labels and a container_manager job record give, and when two are the
 * same job: what container findings name and what a merge of job and container findings relies on.
 */
import { describe, expect, it } from 'vitest';
import { jobIdentity, sameJob } from '../../analyzers/job-identity.js';

describe('jobIdentity', () => {
  it("reads django-container-manager's labels: id and name, the container's id and name", () => {
    const j = jobIdentity({
      labels: { 'django.container_manager.job_id': '42', 'django.container_manager.job_name': 'bulk-loader', other: 'x' },
      containerId: 'abcdef0123456789',
      containerName: 'epic_carver',
    });
    expect(j).toEqual({ id: '42', name: 'bulk-loader', containers: ['abcdef0123456789', 'epic_carver'], text: 'job bulk-loader (id 42)' });
  });

  it('a container without a job label is no job; older labels still count', () => {
    expect(jobIdentity({ labels: { 'com.docker.compose.service': 'web' } })).toBeUndefined();
    expect(jobIdentity({ labels: { job_id: '7' } })?.text).toBe('job 7');
    expect(jobIdentity({ labels: { 'django.container_manager.job_id': '  ' } })).toBeUndefined();
  });

  it('reads a job record: numeric id, execution_id and the container name in executor_metadata (JSON text or object)', () => {
    const j = jobIdentity({
      record: { id: 42, name: 'bulk-loader', execution_id: 'abcdef0123456789ffff', executor_metadata: '{"container_name": "/epic_carver"}' },
    });
    expect(j).toEqual({ id: '42', name: 'bulk-loader', containers: ['abcdef0123456789ffff', 'epic_carver'], text: 'job bulk-loader (id 42)' });
    expect(jobIdentity({ record: { id: 3, executor_metadata: { container_name: 'c3' } } })?.containers).toEqual(['c3']);
    expect(jobIdentity({ record: { status: 'failed' } })).toBeUndefined();
  });

  it('sameJob: equal ids; without an id, a shared container (short id prefix) or name; different ids never', () => {
    const fromRecord = jobIdentity({ record: { id: 42, execution_id: 'abcdef0123456789ffff' } })!;
    expect(sameJob(fromRecord, jobIdentity({ labels: { job_id: '42' } })!)).toBe(true);
    expect(sameJob(fromRecord, jobIdentity({ labels: { job_id: '43' }, containerId: 'abcdef0123456789ffff' })!)).toBe(false);
    const nameOnly = jobIdentity({ labels: { job_name: 'bulk-loader' }, containerId: 'abcdef012345' })!;
    expect(sameJob(fromRecord, nameOnly)).toBe(true);
    expect(
      sameJob(jobIdentity({ record: { name: 'a', execution_id: 'abcdef012345' } })!, jobIdentity({ labels: { job_name: 'b' }, containerId: 'abcdef0' })!),
    ).toBe(false);
    expect(sameJob(jobIdentity({ record: { name: 'nightly' } })!, jobIdentity({ labels: { job_name: 'nightly' } })!)).toBe(true);
  });
});
