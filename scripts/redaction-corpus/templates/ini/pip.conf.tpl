[global]
timeout = 60
index-url = https://deploy:⟦«a:24»⟧@artifactory.example.com/artifactory/api/pypi/pypi-remote/simple
extra-index-url =
    https://__token__:⟦glpat-«u:20»⟧@gitlab.example.com/api/v4/projects/⟪1234⟫/packages/pypi/simple
    https://pypi.org/simple
trusted-host = ⟪artifactory.example.com⟫
