"""What drctl prints and writes: text, JSON (with its schemas), SARIF, diagrams, the posture and the rule book."""
