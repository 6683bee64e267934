⟪2024-11-05T09:30:00.0000000Z⟫ ##[group]Run actions/checkout@⟪b4ffde65f46336ab88eb53be808477a3936bae11⟫
2024-11-05T09:30:00.1000000Z Syncing repository: acme/shop
2024-11-05T09:30:01.0000000Z [command]/usr/bin/git -c http.extraheader="AUTHORIZATION: basic ***" fetch
2024-11-05T09:30:05.0000000Z Cloning with https://x-access-token:⟦ghs_«a:36»⟧@github.com/acme/shop.git
2024-11-05T09:30:06.0000000Z fine-grained token in use: ⟦github_pat_11«U:20»_«a:59»⟧
2024-11-05T09:30:07.0000000Z glab auth status: Logged in to gitlab.example.com as ci (⟦glpat-«u:20»⟧)
2024-11-05T09:30:08.0000000Z npm notice using ⟦npm_«a:36»⟧ for registry.npmjs.org
2024-11-05T09:30:09.0000000Z docker: logged in with ⟦dckr_pat_«u:27»⟧
2024-11-05T09:30:09.5000000Z docker: org access ⟦dckr_oat_«u:32»⟧
2024-11-05T09:30:10.0000000Z Run ⟪actions/upload-artifact@v4⟫
2024-11-05T09:30:11.0000000Z Artifact digest is ⟪sha256:«h:64»⟫
2024-11-05T09:30:12.0000000Z ##[endgroup]
