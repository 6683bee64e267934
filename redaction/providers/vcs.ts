/** Source hosting and CI: GitHub, GitLab, Bitbucket/Atlassian, Gitea, Sourcegraph and CI/code-quality services. */
import type { Rule } from '../rule.js';
import { ALNUM, B64URL, END, HEX, START, UUID, custom, keyed, near, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const vcsRules: readonly Rule[] = [
  custom({
    id: 'github-token',
    description: 'GitHub token: classic (ghp_), OAuth (gho_), user/server-to-server app (ghu_/ghs_), refresh (ghr_)',
    hint: /ghp_|gho_|ghu_|ghs_|ghr_/,
    pattern: rx(String.raw`${START}gh[pousr]_[A-Za-z0-9]{36,255}${END}`),
  }),
  custom({
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token (github_pat_)',
    hint: /github_pat_/,
    pattern: rx(String.raw`${START}github_pat_[A-Za-z0-9_]{82}${END}`),
  }),
  custom({
    id: 'gitlab-token',
    description: 'GitLab token: personal/project/group (glpat-), deploy (gldt-), runner (glrt-, GR1348941), trigger (glptt-)',
    hint: /glpat-|gldt-|glrt-|glptt-|GR1348941/,
    pattern: rx(String.raw`${START}(?:glpat-|gldt-|glrt-|glptt-|GR1348941)[A-Za-z0-9_-]{20,}${END}`),
  }),
  token({
    id: 'gitlab-routable-token',
    description: 'GitLab routable token with its dotted suffix (glpat-…, glrt-t1_…, gldt-… ending .xx1234567)',
    prefixes: ['glpat-', 'glrt-', 'gldt-', 'glcbt-', 'glft-'],
    body: '[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{9}',
    extra: '.',
  }),
  token({ id: 'gitlab-ci-job-token', description: 'GitLab CI/CD job token (glcbt-)', prefixes: ['glcbt-'], body: '[0-9a-zA-Z]{1,5}_[A-Za-z0-9_-]{20,64}' }),
  token({ id: 'gitlab-feature-flag-token', description: 'GitLab feature-flag client token (glffct-)', prefixes: ['glffct-'], body: B64URL('20,64') }),
  token({ id: 'gitlab-feed-token', description: 'GitLab feed token (glft-)', prefixes: ['glft-'], body: B64URL('20,64') }),
  token({ id: 'gitlab-incoming-mail-token', description: 'GitLab incoming-email token (glimt-)', prefixes: ['glimt-'], body: B64URL('25,64') }),
  token({ id: 'gitlab-agent-token', description: 'GitLab agent for Kubernetes token (glagent-)', prefixes: ['glagent-'], body: B64URL('50,128') }),
  token({ id: 'gitlab-oauth-app-secret', description: 'GitLab OAuth application secret (gloas-)', prefixes: ['gloas-'], body: B64URL('64,128') }),
  token({ id: 'gitlab-scim-token', description: 'GitLab SCIM token (glsoat-)', prefixes: ['glsoat-'], body: B64URL('20,64') }),
  token({ id: 'gitlab-session-cookie', description: 'GitLab session cookie (_gitlab_session=)', prefixes: ['_gitlab_session='], body: '[0-9a-f]{32}' }),
  token({ id: 'bitbucket-app-password', description: 'Bitbucket app password / Atlassian API token for Bitbucket (ATBB…)', prefixes: ['ATBB'], body: '[A-Za-z0-9_=.-]{32}', extra: '=.' }),
  keyed({ id: 'bitbucket-client-secret', description: 'Bitbucket OAuth consumer secret (32 characters next to a bitbucket name)', context: ['bitbucket'], value: ALNUM(32) }),
  token({ id: 'atlassian-api-token', description: 'Atlassian Cloud API token (ATATT3…)', prefixes: ['ATATT3'], body: '[A-Za-z0-9_=-]{180,200}', extra: '=' }),
  near({ id: 'atlassian-legacy-token', description: 'Atlassian / Jira / Confluence legacy API token (24 characters next to an atlassian, jira or confluence name)', context: ['atlassian', 'jira', 'confluence'], value: ALNUM(24), gap: 40 }),
  keyed({ id: 'gitea-token', description: 'Gitea / Forgejo access token (40 hex next to a gitea/forgejo name)', context: ['gitea', 'forgejo'], value: HEX(40) }),
  token({ id: 'sourcegraph-token', description: 'Sourcegraph access token (sgp_…)', prefixes: ['sgp_'], body: '(?:[a-f0-9]{16}_[a-f0-9]{40}|local_[a-f0-9]{40}|[a-f0-9]{40})' }),
  keyed({ id: 'codecov-token', description: 'Codecov upload/access token (UUID next to a codecov name)', context: ['codecov'], value: UUID }),
  token({ id: 'circleci-pat', description: 'CircleCI personal API token (CCIPAT_)', prefixes: ['CCIPAT_', 'CCIPRJ_'], body: `${ALNUM(22)}_${HEX(40)}` }),
  keyed({ id: 'circleci-token', description: 'CircleCI legacy API token (40 hex next to a circleci name)', context: ['circleci', 'circle_token', 'circle-token'], value: HEX(40) }),
  keyed({ id: 'travis-ci-token', description: 'Travis CI access token (22 characters next to a travis name)', context: ['travis'], value: B64URL(22) }),
  keyed({ id: 'drone-ci-token', description: 'Drone CI token (32 characters next to a drone name)', context: ['drone_token', 'drone-token', 'droneci', 'DRONE_TOKEN'], value: ALNUM(32) }),
  token({ id: 'buildkite-token', description: 'Buildkite user API access token (bkua_)', prefixes: ['bkua_'], body: HEX(40) }),
  token({ id: 'sonarqube-token', description: 'SonarQube/SonarCloud token: user (squ_), project (sqp_), global analysis (sqa_)', prefixes: ['squ_', 'sqp_', 'sqa_'], body: HEX(40) }),
  keyed({ id: 'sonar-token', description: 'SonarQube/SonarCloud legacy token (40 hex next to a sonar name)', context: ['sonar'], value: HEX(40) }),
  keyed({ id: 'snyk-token', description: 'Snyk API token (UUID next to a snyk name)', context: ['snyk'], value: UUID }),
  token({ id: 'artifactory-api-key', description: 'JFrog Artifactory API key (AKCp…)', prefixes: ['AKCp'], body: ALNUM('65,73') }),
  token({ id: 'artifactory-reference-token', description: 'JFrog Artifactory reference token (cmVmdGtu…)', prefixes: ['cmVmdGtu'], body: ALNUM('56') }),
  keyed({ id: 'jfrog-access-token', description: 'JFrog identity/access token (64 characters next to a jfrog or artifactory name)', context: ['jfrog', 'artifactory'], value: ALNUM(64) }),
  token({ id: 'terraform-cloud-token', description: 'Terraform Cloud / HCP Terraform API token (….atlasv1.…)', prefixes: [], hint: /atlasv1/, body: `${ALNUM(14)}\\.atlasv1\\.${B64URL('60,70')}`, extra: '.' }),
  token({ id: 'octopus-deploy-api-key', description: 'Octopus Deploy API key (API- + 26)', prefixes: ['API-'], body: '[A-Z0-9]{26,32}' }),
  token({ id: 'harness-token', description: 'Harness personal/service-account token (pat./sat. + three dotted parts)', prefixes: ['pat.', 'sat.'], body: `${B64URL(22)}\\.${ALNUM(24)}\\.${ALNUM(20)}`, extra: '.' }),
];
