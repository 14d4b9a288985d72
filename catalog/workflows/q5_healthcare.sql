-- Q5-Healthcare (paper §2.1): osteoporosis decision support for one patient. A record summary,
-- six guideline micro-reviews (static text only: identical for every patient, so computed once
-- per batch after dedup), six specialists who cross-reference the record against the micro-reviews
-- from their own clinical angles, a three-round pro/con debate, a contradiction check and a typed
-- final report.
-- Every specialist's prompt starts with all six micro-review checklists under one system prompt
-- (osteoporosis_specialist), then the record and its summary, then the specialist's own angle: the
-- checklists are a long prefix shared by every specialist call of every patient (6 per patient).
-- Calls per patient: sql 1, llm 21 (1 summary + 6 micro-reviews + 6 specialists + pro + con
-- + 4 later debate turns + contradiction check + final report); after dedup over n patients,
-- 15 per patient + 6 micro-reviews per batch.
-- Output lengths: max_tokens 768 on every LLM step, the value of the public LUMILAKE Q5 template
-- (github.com/mlsys-io/Lumilake, examples/templates/n8n/healthcare-osteoporosis-debate.json:
-- maxTokens 768 for every call), the top of issue 13's 256-768 (the paper, §2.1, gives no lengths).
CREATE OR REPLACE WORKFLOW q5_healthcare(patient_id VARCHAR) AS (
  record := SQL (
    SELECT p.patient_id, p.age, p.sex, p.bmi, p.t_score, p.fracture_history, p.medications, r.report
    FROM patients p JOIN patient_reports r ON r.patient_id = p.patient_id
    WHERE p.patient_id = :patient_id
  ),
  record_summary := LLM qwen3_8b SYSTEM clinician
    PROMPT 'Patient record:\n{{record}}\nSummarize the record for the osteoporosis case conference.'
    WITH (temperature 0, max_tokens 768),

  -- Micro-reviews: guideline text only, no patient data.
  review_densitometry := LLM qwen3_8b SYSTEM guideline_densitometry
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),
  review_fracture_risk := LLM qwen3_8b SYSTEM guideline_fracture_risk
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),
  review_secondary_causes := LLM qwen3_8b SYSTEM guideline_secondary_causes
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),
  review_pharmacotherapy := LLM qwen3_8b SYSTEM guideline_pharmacotherapy
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),
  review_nutrition := LLM qwen3_8b SYSTEM guideline_nutrition
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),
  review_falls := LLM qwen3_8b SYSTEM guideline_falls
    PROMPT 'Condense the guideline above into a numbered checklist of at most eight decision points that a specialist must verify for every patient. Keep the exact thresholds.'
    WITH (temperature 0, max_tokens 768),

  -- Specialists: one system prompt and all six checklists first (the same bytes for every
  -- specialist and every patient), then the patient, then the specialist's own angle.
  densitometry_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: densitometry. Apply every item of the densitometry checklist to this patient, cross-reference the other checklists where they bear on bone density, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),
  fracture_risk_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: fracture risk. Apply every item of the fracture risk checklist to this patient, cross-reference the other checklists where they bear on fracture risk, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),
  secondary_causes_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: secondary causes. Apply every item of the secondary causes checklist to this patient, cross-reference the other checklists where they bear on secondary causes of bone loss, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),
  pharmacotherapy_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: pharmacotherapy. Apply every item of the pharmacotherapy checklist to this patient, cross-reference the other checklists where they bear on drug treatment, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),
  nutrition_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: nutrition. Apply every item of the nutrition checklist to this patient, cross-reference the other checklists where they bear on nutrition, vitamin D and calcium, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),
  falls_specialist := LLM qwen3_8b SYSTEM osteoporosis_specialist
    PROMPT 'Guideline checklists of the review board:\nDensitometry:\n{{review_densitometry}}\nFracture risk:\n{{review_fracture_risk}}\nSecondary causes:\n{{review_secondary_causes}}\nPharmacotherapy:\n{{review_pharmacotherapy}}\nNutrition:\n{{review_nutrition}}\nFalls:\n{{review_falls}}\nPatient record:\n{{record}}\nClinical summary:\n{{record_summary}}\nYour angle: falls. Apply every item of the falls checklist to this patient, cross-reference the other checklists where they bear on falls and lifestyle, and give your assessment in at most 500 words, ending with one line starting FINDING:.'
    WITH (temperature 0, max_tokens 768),

  -- Case conference: opening arguments, then a three-round debate.
  pro := LLM qwen3_8b SYSTEM clinical_advocate
    PROMPT 'Patient {{patient_id}}.\nClinical summary:\n{{record_summary}}\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nMake your opening argument.'
    WITH (temperature 0, max_tokens 768),
  con := LLM qwen3_8b SYSTEM clinical_skeptic
    PROMPT 'Patient {{patient_id}}.\nClinical summary:\n{{record_summary}}\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nMake your opening argument.'
    WITH (temperature 0, max_tokens 768),
  treatment_debate := DEBATE (pro, con) ROUNDS 3,

  consistency := LLM qwen3_8b SYSTEM contradiction_checker
    PROMPT 'Patient record:\n{{record}}\nSpecialist assessments:\nDensitometry: {{densitometry_specialist}}\nFracture risk: {{fracture_risk_specialist}}\nSecondary causes: {{secondary_causes_specialist}}\nPharmacotherapy: {{pharmacotherapy_specialist}}\nNutrition: {{nutrition_specialist}}\nFalls: {{falls_specialist}}\nCase-conference transcript:\n{{treatment_debate}}\nList the contradictions.'
    WITH (temperature 0, max_tokens 768),

  final_report := LLM qwen3_32b SYSTEM clinical_report_writer
    PROMPT 'Patient record:\n{{record}}\nConsistency review:\n{{consistency}}\nCase-conference transcript:\n{{treatment_debate}}\nWrite the decision-support report.'
    RETURNS (
      diagnosis VARCHAR CHECK (diagnosis IN ('normal', 'osteopenia', 'osteoporosis')),
      treat BOOLEAN,
      report VARCHAR
    )
    WITH (temperature 0, max_tokens 768)
) RETURN final_report;

SELECT p.patient_id, t.* FROM patients p, q5_healthcare(p.patient_id) t;
