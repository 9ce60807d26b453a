"""Scientific credibility: the paper's claims as emergent outcomes, calibration, policy frontier."""
