// patients(patient_id, age, sex, bmi, t_score, fracture_history, medications) and
// patient_reports(patient_id, report): 320 synthetic osteoporosis-screening cases, one narrative each.
import { createRng, round } from './prng.ts';
import type { Rng } from './prng.ts';
import type { Cell, DemoTable } from './table.ts';

export const PATIENT_COUNT = 320;

interface Patient {
  readonly id: string;
  readonly age: number;
  readonly sex: 'F' | 'M';
  readonly bmi: number;
  readonly tScore: number;
  readonly fracture: boolean;
  readonly medications: readonly string[];
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function medications(rng: Rng, sex: 'F' | 'M', tScore: number): string[] {
  const meds: [string, number][] = [
    ['alendronate 70 mg weekly', tScore <= -2.5 ? 0.3 : 0.03],
    ['calcium carbonate 600 mg', 0.4],
    ['cholecalciferol 1000 IU', 0.35],
    ['prednisone 5 mg', 0.08],
    ['levothyroxine 75 mcg', 0.12],
    ['omeprazole 20 mg', 0.15],
    ['metformin 500 mg', 0.15],
    ['lisinopril 10 mg', 0.2],
    ['atorvastatin 20 mg', 0.25],
    ['letrozole 2.5 mg', sex === 'F' ? 0.04 : 0],
    ['sertraline 50 mg', 0.07],
  ];
  return meds.filter(([, p]) => rng.chance(p)).map(([m]) => m);
}

function generatePatient(rng: Rng, i: number): Patient {
  const age = rng.int(50, 88);
  const sex = rng.chance(0.7) ? 'F' : 'M';
  const bmi = round(clamp(26 + 4.5 * rng.normal(), 16.5, 42), 1);
  const t = -0.6 - 0.035 * (age - 50) - (sex === 'F' ? 0.6 : 0) + 0.06 * (bmi - 26) + 0.8 * rng.normal();
  const tScore = round(clamp(t, -4.5, 1.5), 1);
  const fracture = rng.chance(0.08 + 0.15 * Math.max(0, -tScore - 1));
  return { id: `P${String(i + 1).padStart(4, '0')}`, age, sex, bmi, tScore, fracture, medications: medications(rng, sex, tScore) };
}

function report(rng: Rng, p: Patient): string {
  const woman = p.sex === 'F';
  const [she, her] = woman ? ['She', 'her'] : ['He', 'his'];
  const reason = rng.pick([
    'referred for routine osteoporosis screening', 'referred after a height loss of 3 cm', 'referred for evaluation of chronic back pain',
    'referred after a recent fall', 'referred because of long-term glucocorticoid use', 'referred because of a family history of hip fracture',
  ]);
  const site = rng.pick(['lumbar spine (L1-L4)', 'femoral neck', 'total hip']);
  const vitD = round(clamp(26 + 9 * rng.normal(), 6, 60), 0);
  const vitDNote = vitD < 20 ? ' (deficient)' : vitD < 30 ? ' (insufficient)' : '';
  const fracture = p.fracture
    ? `${she} sustained a ${rng.pick(['distal radius', 'vertebral compression', 'hip', 'proximal humerus', 'rib'])} fracture after a low-energy fall ${rng.int(1, 9)} years ago.`
    : `There is no personal history of fragility fracture.`;
  const meds = p.medications.length > 0 ? p.medications.join(', ') : 'none';
  const smoking = rng.pick(['has never smoked', 'is a former smoker (quit 10 years ago)', `currently smokes ${rng.int(5, 20)} cigarettes a day`]);
  const alcohol = rng.int(0, 16);
  const exercise = rng.pick(['is largely sedentary', 'walks most days', 'does resistance training twice a week', 'plays golf weekly']);
  const falls = rng.int(0, 3);
  const parts = [
    `${p.id}: ${p.age}-year-old ${woman ? 'woman' : 'man'} ${reason}.`,
    `BMI is ${p.bmi.toFixed(1)} kg/m2.`,
    `DXA of the ${site} shows a T-score of ${p.tScore.toFixed(1)}.`,
    fracture,
    `Current medications: ${meds}.`,
    `Serum 25-hydroxyvitamin D is ${vitD} ng/mL${vitDNote}; serum calcium and eGFR are within normal limits.`,
    `${she} ${smoking}, drinks about ${alcohol} units of alcohol per week and ${exercise}.`,
    falls === 0 ? 'No falls in the past year.' : `${falls} fall${falls > 1 ? 's' : ''} in the past year.`,
  ];
  if (woman) parts.push(`Menopause at age ${rng.int(44, 56)}${rng.chance(0.2) ? ', previously on hormone replacement therapy' : ''}.`);
  if (rng.chance(0.25)) parts.push(`${her[0]?.toUpperCase()}${her.slice(1)} mother had a hip fracture in her seventies.`);
  return parts.join(' ');
}

/** Both patient tables (rows ordered by patient_id). */
export function patientTables(): { patients: DemoTable; reports: DemoTable } {
  const rng = createRng('patients');
  const patients: Cell[][] = [];
  const reports: Cell[][] = [];
  for (let i = 0; i < PATIENT_COUNT; i++) {
    const p = generatePatient(rng, i);
    const meds = p.medications.length > 0 ? p.medications.join(', ') : 'none';
    patients.push([p.id, p.age, p.sex, p.bmi, p.tScore, p.fracture, meds]);
    reports.push([p.id, report(createRng(`report/${p.id}`), p)]);
  }
  return {
    patients: {
      name: 'patients',
      columns: [
        { name: 'patient_id', type: 'VARCHAR' }, { name: 'age', type: 'INTEGER' }, { name: 'sex', type: 'VARCHAR' },
        { name: 'bmi', type: 'DOUBLE' }, { name: 't_score', type: 'DOUBLE' }, { name: 'fracture_history', type: 'BOOLEAN' },
        { name: 'medications', type: 'VARCHAR' },
      ],
      rows: patients,
    },
    reports: {
      name: 'patient_reports',
      columns: [{ name: 'patient_id', type: 'VARCHAR' }, { name: 'report', type: 'VARCHAR' }],
      rows: reports,
    },
  };
}
