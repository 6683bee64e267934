grafana:⟦$apr1$«a:8»$«b:22»⟧
admin:⟦$2y$05$«b:53»⟧
metrics:⟦{SHA}«b:27»=⟧
legacy:⟦«a:13»⟧
