⟦ssh:5⟧
