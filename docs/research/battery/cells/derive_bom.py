"""Derive per-kWh cell bills of materials for the evchain cell library.

Bottom-up electrochemical sizing (all inputs are stated assumptions, see REPORT.md):
  CAM      = 1/(q_cam * V) * (1 + cathode_excess)
  anode    = Ah/kWh * N/P / q_anode
  foils    = coated area from areal capacity -> foil area (double-side coating) * thickness * density * (1+tab/margin)
  separator= cathode coated area (one face per separator layer) * 1.08 overhang * areal mass
  binder+carbon = CAM*(1/f_cam - 1) + anode*(1/f_an - 1)
  casing   = geometric estimate per format (kg/kWh, input)
  electrolyte = closure: cell mass - sum(others), reported and checked against a plausible g/Ah band
Prints rows; writes nothing.  Run: python3 derive_bom.py
"""
RHO_AL, RHO_CU = 2.70, 8.96  # g/cm3

cells = {
  # id: V, SE Wh/kg, q_cam mAh/g, excess, q_an mAh/g, NP, areal mAh/cm2, Al um (cathode), anode foil um, anode foil rho, f_cam, f_an, sep g/m2, casing kg/kWh
  "lfp-prismatic":  dict(V=3.2,  SE=170, q=155, ex=0.03, qa=340, NP=1.10, ac=3.0,  al=13, cu=6,  rho_an=RHO_CU, fc=0.955, fa=0.960, sep=9.0, case=0.40),
  "lfp-blade":      dict(V=3.2,  SE=160, q=155, ex=0.03, qa=340, NP=1.10, ac=2.39, al=20, cu=10, rho_an=RHO_CU, fc=0.955, fa=0.960, sep=9.0, case=0.50),
  "lmfp-prismatic": dict(V=3.7,  SE=210, q=150, ex=0.03, qa=340, NP=1.10, ac=3.0,  al=13, cu=6,  rho_an=RHO_CU, fc=0.950, fa=0.960, sep=9.0, case=0.35),
  "nmc811-pouch":   dict(V=3.65, SE=260, q=200, ex=0.02, qa=345, NP=1.10, ac=4.0,  al=12, cu=6,  rho_an=RHO_CU, fc=0.970, fa=0.965, sep=8.0, case=0.12),
  "nmc811-prismatic":dict(V=3.65,SE=240, q=200, ex=0.02, qa=345, NP=1.10, ac=4.0,  al=12, cu=6,  rho_an=RHO_CU, fc=0.970, fa=0.965, sep=8.0, case=0.35),
  "nmc811-4680":    dict(V=3.7,  SE=241, q=200, ex=0.02, qa=345, NP=1.10, ac=4.99, al=20, cu=10, rho_an=RHO_CU, fc=0.970, fa=0.965, sep=8.0, case=0.60),
  "nmc622-pouch":   dict(V=3.65, SE=230, q=175, ex=0.02, qa=340, NP=1.10, ac=3.5,  al=15, cu=8,  rho_an=RHO_CU, fc=0.960, fa=0.965, sep=9.0, case=0.13),
  "nca-2170":       dict(V=3.6,  SE=255, q=200, ex=0.02, qa=345, NP=1.10, ac=4.5,  al=15, cu=8,  rho_an=RHO_CU, fc=0.970, fa=0.965, sep=8.0, case=0.65),
  "sodium-ion-prismatic": dict(V=3.1, SE=160, q=135, ex=0.10, qa=300, NP=1.10, ac=2.5, al=15, cu=15, rho_an=RHO_AL, fc=0.940, fa=0.940, sep=9.0, case=0.45),
}

def derive(c):
    ah = 1000.0 / c["V"]                      # Ah per kWh
    cam = ah / c["q"] * (1 + c["ex"])         # kg (Ah / (mAh/g) = kg)
    an = ah * c["NP"] / c["qa"]
    coated_cm2 = ah * 1000 / c["ac"]          # single-side cathode coated area
    foil_m2 = coated_cm2 / 2 / 1e4
    al = foil_m2 * 1e4 * c["al"] * 1e-4 * RHO_AL / 1000 * 1.10
    an_foil = foil_m2 * 1.05 * 1e4 * c["cu"] * 1e-4 * c["rho_an"] / 1000 * 1.10
    sep = coated_cm2 / 1e4 * 1.08 * c["sep"] / 1000
    bc = cam * (1 / c["fc"] - 1) + an * (1 / c["fa"] - 1)
    m = 1000.0 / c["SE"]
    others = cam + an + al + an_foil + sep + bc + c["case"]
    elyte = m - others
    return dict(ah=ah, cam=cam, an=an, al=al, an_foil=an_foil, sep=sep, bc=bc, case=c["case"], elyte=elyte,
                elyte_g_per_ah=elyte * 1000 / ah, mass=m)

if __name__ == "__main__":
    for k, c in cells.items():
        d = derive(c)
        print(k, {kk: round(v, 3) for kk, v in d.items()})
