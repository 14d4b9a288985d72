-- Q5-Healthcare (paper §2.1): osteoporosis decision support for one patient. A record summary,
-- six guideline micro-reviews (static text only: identical for every patient, so computed once
-- per batch after dedup), six specialists who apply them to the record, a three-round pro/con
-- debate, a contradiction check and a typed final report.
-- Calls per patient: sql 1, llm 21 (1 summary + 6 micro-reviews + 6 specialists + pro + con
-- + 4 later debate turns + contradiction check + final report).
CREATE OR REPLACE WORKFLOW q5_healthcare(patient_id VARCHAR) AS (
  record := SQL (
    SELECT p.patient_id, p.age, p.sex, p.bmi, p.t_score, p.fracture_history, p.medications, r.report
    FROM patients p JOIN patient_reports r ON r.patient_id = p.patient_id
    WHERE p.patient_id = :patient_id
  ),
  record_summary := LLM qwen3_8b SYSTEM clinician
    PROMPT 'Patient record:\n{{record}}\nSummarize the record for the osteoporosis case conference.'
    WITH (temperature 0, max_tokens 256),

  -- Micro-reviews: guideline text only, no patient data.
  review_densitometry := LLM qwen3_8b SYSTEM guideline_densitometry
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),
  review_fracture_risk := LLM qwen3_8b SYSTEM guideline_fracture_risk
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),
  review_secondary_causes := LLM qwen3_8b SYSTEM guideline_secondary_causes
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),
  review_pharmacotherapy := LLM qwen3_8b SYSTEM guideline_pharmacotherapy
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),
  review_nutrition := LLM qwen3_8b SYSTEM guideline_nutrition
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),
  review_falls := LLM qwen3_8b SYSTEM guideline_falls
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 256),

  -- Specialists: same guideline as system prompt, the checklist first (shared by all patients),
  -- then the patient.
  densitometry_specialist := LLM qwen3_8b SYSTEM guideline_densitometry
    PROMPT 'Checklist:\n{{review_densitometry}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),
  fracture_risk_specialist := LLM qwen3_8b SYSTEM guideline_fracture_risk
    PROMPT 'Checklist:\n{{review_fracture_risk}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),
  secondary_causes_specialist := LLM qwen3_8b SYSTEM guideline_secondary_causes
    PROMPT 'Checklist:\n{{review_secondary_causes}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),
  pharmacotherapy_specialist := LLM qwen3_8b SYSTEM guideline_pharmacotherapy
    PROMPT 'Checklist:\n{{review_pharmacotherapy}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),
  nutrition_specialist := LLM qwen3_8b SYSTEM guideline_nutrition
    PROMPT 'Checklist:\n{{review_nutrition}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),
  falls_specialist := LLM qwen3_8b SYSTEM guideline_falls
    PROMPT 'Checklist:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nApply every checklist item to this patient and give your assessment in at most 150 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 256),

  -- Case conference: opening arguments, then a three-round debate.
  pro := LLM qwen3_8b SYSTEM clinical_advocate
    PROMPT 'Patient {{patient_id}}.\nClinical summary:\n{{record_summary}}\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nMake your opening argument.'
    WITH (temperature 0, max_tokens 256),
  con := LLM qwen3_8b SYSTEM clinical_skeptic
    PROMPT 'Patient {{patient_id}}.\nClinical summary:\n{{record_summary}}\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nMake your opening argument.'
    WITH (temperature 0, max_tokens 256),
  treatment_debate := DEBATE (pro, con) ROUNDS 3,

  consistency := LLM qwen3_8b SYSTEM contradiction_checker
    PROMPT 'Patient record:\n{{record}}\nSpecialist assessments:\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nCase-conference transcript:\n{{treatment_debate}}\nList the contradictions.'
    WITH (temperature 0, max_tokens 300),

  final_report := LLM qwen3_32b SYSTEM clinical_report_writer
    PROMPT 'Patient record:\n{{record}}\nConsistency review:\n{{consistency}}\nCase-conference transcript:\n{{treatment_debate}}\nWrite the decision-support report.'
    RETURNS (
      diagnosis VARCHAR CHECK (diagnosis IN ('normal', 'osteopenia', 'osteoporosis')),
      treat BOOLEAN,
      report VARCHAR
    )
    WITH (temperature 0, max_tokens 400)
) RETURN final_report;

SELECT p.patient_id, t.* FROM patients p, q5_healthcare(p.patient_id) t;
