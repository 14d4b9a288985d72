// Reference materials of the spectra table: literature peak positions (XRD 2θ with Cu Kα,
// Raman and FTIR in cm-1) and relative intensities, plus the sample treatments that vary them.

export type Technique = 'XRD' | 'Raman' | 'FTIR';

/** A reference peak: position in the technique's unit and relative intensity (max 100). */
export type Peak = readonly [position: number, intensity: number];

export interface Material {
  readonly name: string;
  readonly peaks: Readonly<Partial<Record<Technique, readonly Peak[]>>>;
}

/** Axis range, default peak width (FWHM) and unit of each technique. */
export const TECHNIQUES: Readonly<Record<Technique, { lo: number; hi: number; fwhm: number; unit: string }>> = {
  XRD: { lo: 5, hi: 80, fwhm: 0.35, unit: '° 2θ' },
  Raman: { lo: 100, hi: 3200, fwhm: 14, unit: 'cm-1' },
  FTIR: { lo: 400, hi: 4000, fwhm: 30, unit: 'cm-1' },
};

export const MATERIALS: readonly Material[] = [
  { name: 'TiO2 (anatase)', peaks: {
    XRD: [[25.3, 100], [37.8, 20], [48.0, 35], [53.9, 20], [55.1, 20], [62.7, 14]],
    Raman: [[144, 100], [197, 8], [399, 25], [513, 22], [639, 30]] } },
  { name: 'TiO2 (rutile)', peaks: {
    XRD: [[27.4, 100], [36.1, 50], [41.2, 25], [54.3, 60], [56.6, 20]],
    Raman: [[143, 10], [240, 40], [447, 100], [612, 85]] } },
  { name: 'ZnO (wurtzite)', peaks: {
    XRD: [[31.8, 57], [34.4, 44], [36.3, 100], [47.5, 23], [56.6, 32], [62.9, 29]],
    Raman: [[99, 60], [332, 20], [438, 100], [583, 15]] } },
  { name: 'alpha-quartz (SiO2)', peaks: {
    XRD: [[20.9, 22], [26.6, 100], [36.5, 8], [39.5, 8], [50.1, 14], [60.0, 9]],
    Raman: [[128, 35], [206, 40], [464, 100]],
    FTIR: [[460, 60], [778, 22], [798, 25], [1080, 100]] } },
  { name: 'calcite (CaCO3)', peaks: {
    XRD: [[23.1, 8], [29.4, 100], [36.0, 14], [39.4, 18], [43.2, 18], [47.5, 17], [48.5, 17]],
    Raman: [[155, 25], [282, 35], [712, 15], [1086, 100]],
    FTIR: [[712, 20], [875, 45], [1420, 100]] } },
  { name: 'graphene oxide', peaks: {
    XRD: [[10.9, 100], [42.5, 10]],
    Raman: [[1350, 90], [1590, 100], [2700, 15]],
    FTIR: [[1050, 50], [1220, 30], [1620, 45], [1720, 55], [3400, 100]] } },
  { name: 'MoS2 (2H)', peaks: {
    XRD: [[14.4, 100], [32.7, 15], [39.5, 10], [49.8, 12], [58.3, 10]],
    Raman: [[383, 70], [408, 100]] } },
  { name: 'hydroxyapatite', peaks: {
    XRD: [[25.9, 40], [31.8, 100], [32.2, 60], [32.9, 60], [34.1, 25], [49.5, 30]],
    Raman: [[430, 15], [590, 12], [961, 100], [1046, 15]],
    FTIR: [[565, 40], [603, 45], [962, 15], [1030, 100], [1090, 60], [3570, 10]] } },
  { name: 'LiFePO4 (olivine)', peaks: {
    XRD: [[17.1, 45], [20.8, 80], [25.6, 60], [29.7, 75], [32.2, 60], [35.6, 100]],
    Raman: [[950, 100], [1000, 20], [1070, 20]],
    FTIR: [[550, 30], [636, 30], [968, 40], [1056, 100], [1138, 60]] } },
  { name: 'MAPbI3 perovskite', peaks: {
    XRD: [[14.1, 100], [20.0, 15], [24.5, 20], [28.4, 70], [31.9, 25], [40.6, 20], [43.2, 15]],
    FTIR: [[910, 30], [1470, 100], [3180, 40]] } },
  { name: 'polyethylene (HDPE)', peaks: {
    XRD: [[21.5, 100], [23.9, 35]],
    Raman: [[1062, 50], [1128, 55], [1295, 70], [1440, 80], [2848, 100], [2883, 95]],
    FTIR: [[719, 25], [730, 25], [1462, 35], [1472, 40], [2848, 85], [2915, 100]] } },
  { name: 'PMMA', peaks: {
    Raman: [[812, 100], [1450, 60], [1730, 40], [2950, 90]],
    FTIR: [[750, 25], [985, 20], [1145, 80], [1240, 40], [1435, 35], [1730, 100], [2950, 40]] } },
  { name: 'ZIF-8 (MOF)', peaks: {
    XRD: [[7.3, 100], [10.4, 25], [12.7, 40], [14.7, 15], [16.4, 20], [18.0, 30]],
    FTIR: [[421, 100], [760, 40], [995, 50], [1146, 60], [1420, 50], [1584, 30]] } },
  { name: 'microcrystalline cellulose', peaks: {
    XRD: [[14.9, 35], [16.5, 30], [22.7, 100], [34.6, 15]],
    FTIR: [[895, 15], [1030, 90], [1160, 35], [1430, 20], [2900, 40], [3340, 100]] } },
  { name: 'crystalline silicon', peaks: {
    XRD: [[28.4, 100], [47.3, 55], [56.1, 30]],
    Raman: [[300, 5], [520, 100], [960, 8]] } },
  { name: 'hematite (alpha-Fe2O3)', peaks: {
    XRD: [[24.1, 30], [33.2, 100], [35.6, 70], [40.9, 20], [49.5, 40], [54.1, 45], [62.4, 30], [64.0, 30]],
    Raman: [[225, 100], [245, 30], [291, 90], [411, 50], [612, 20], [1320, 60]] } },
];

/** A sample preparation: its label, peak broadening factor and typical peak shift (fraction of FWHM). */
export interface Treatment {
  readonly label: string;
  readonly broadening: number;
  readonly shift: number;
}

export const TREATMENTS: readonly Treatment[] = [
  { label: 'as-synthesized powder', broadening: 1, shift: 0 },
  { label: 'annealed at 450 °C for 2 h', broadening: 0.8, shift: 0.1 },
  { label: 'annealed at 700 °C for 4 h', broadening: 0.7, shift: 0.2 },
  { label: 'ball-milled for 6 h', broadening: 2.2, shift: 0.4 },
  { label: 'nanoparticles (~15 nm), hydrothermal route at 180 °C', broadening: 2.6, shift: 0.3 },
  { label: '2 at.% Nb-doped', broadening: 1.3, shift: 0.8 },
  { label: 'thin film (200 nm) on Si(100)', broadening: 1.5, shift: 0.6 },
  { label: 'aged 30 days in humid air', broadening: 1.2, shift: 0.2 },
  { label: 'commercial reference standard', broadening: 0.9, shift: 0 },
  { label: 'compressed under 2 GPa', broadening: 1.6, shift: 1.2 },
];
