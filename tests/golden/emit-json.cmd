compile --emit json ../../policies/presets.kkp
