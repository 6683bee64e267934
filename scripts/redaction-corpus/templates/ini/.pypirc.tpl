[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__
password = ⟦pypi-AgEIcHlwaS5vcmc«u:150»⟧

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ⟦pypi-AgENdGVzdC5weXBpLm9yZw«u:140»⟧

[private]
repository = ⟪https://nexus.example.com/repository/pypi-internal/⟫
username = ci-publisher
password = ⟦«a:9»%«a:8»⟧
