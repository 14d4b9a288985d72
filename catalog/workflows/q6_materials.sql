-- Q6-Materials (paper §2.1): spectroscopy analysis of one spectrum. Three expert branches
-- (feature identification, quantitative extraction, physical interpretation), each an analyst
-- draft (a) refined by a reviewer with a branch-specific guided prompt (b); a three-round
-- cross-branch debate of the refined analyses; a two-step summary chain with a typed result.
-- Calls per spectrum: sql 2, llm 14 (3 x (a + b) + 6 later debate turns + 2 summary steps).
CREATE OR REPLACE WORKFLOW q6_materials(spectrum_id VARCHAR) AS (
  spectrum := SQL (
    SELECT spectrum_id, material, technique, peaks, notes FROM spectra WHERE spectrum_id = :spectrum_id
  ),
  -- The ten strongest local maxima of the measured points.
  top_points := SQL (
    SELECT round(x, 2) AS x, round(intensity, 1) AS intensity
    FROM (
      SELECT x, intensity,
             lag(intensity) OVER (ORDER BY x) AS prev_intensity,
             lead(intensity) OVER (ORDER BY x) AS next_intensity
      FROM spectrum_points WHERE spectrum_id = :spectrum_id
    ) AS p
    WHERE intensity >= coalesce(prev_intensity, 0) AND intensity >= coalesce(next_intensity, 0)
    ORDER BY intensity DESC LIMIT 10
  ),

  -- Branch 1: feature identification.
  feature_a := LLM qwen3_8b SYSTEM spectro_features
    PROMPT 'Spectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nIdentify the phase or functional groups and assign every peak.'
    WITH (temperature 0, max_tokens 300),
  feature_b := LLM qwen3_8b SYSTEM spectro_reviewer
    PROMPT 'Branch: feature identification.\nSpectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nJunior analyst draft:\n{{feature_a}}\nVerify each assignment against reference positions, and check whether any measured maximum is missing from the reported peak list, which would point to an impurity phase.'
    WITH (temperature 0, max_tokens 300),

  -- Branch 2: quantitative extraction.
  quant_a := LLM qwen3_8b SYSTEM spectro_quant
    PROMPT 'Spectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nExtract the quantitative parameters this technique supports.'
    WITH (temperature 0, max_tokens 300),
  quant_b := LLM qwen3_8b SYSTEM spectro_reviewer
    PROMPT 'Branch: quantitative extraction.\nSpectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nJunior analyst draft:\n{{quant_a}}\nRecompute every number in the draft, check units and assumptions, and give corrected values with uncertainties.'
    WITH (temperature 0, max_tokens 300),

  -- Branch 3: physical interpretation.
  physical_a := LLM qwen3_8b SYSTEM spectro_physics
    PROMPT 'Spectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nInterpret the spectrum physically in light of the sample treatment in the notes.'
    WITH (temperature 0, max_tokens 300),
  physical_b := LLM qwen3_8b SYSTEM spectro_reviewer
    PROMPT 'Branch: physical interpretation.\nSpectrum record:\n{{spectrum}}\nStrongest local maxima of the measured points (x, intensity):\n{{top_points}}\nJunior analyst draft:\n{{physical_a}}\nTest each physical claim against the observed shifts and widths and the stated preparation; separate firm conclusions from hypotheses.'
    WITH (temperature 0, max_tokens 300),

  -- Round 1 is the three refined analyses; rounds 2 and 3 are critique and rebuttal (6 calls).
  cross_debate := DEBATE (feature_b, quant_b, physical_b) ROUNDS 3,

  synthesis := LLM qwen3_8b SYSTEM materials_summarizer
    PROMPT 'Spectrum {{spectrum_id}}.\nSpectrum record:\n{{spectrum}}\nCross-examination transcript:\n{{cross_debate}}\nWrite the characterization synthesis.'
    WITH (temperature 0, max_tokens 400),
  report := LLM qwen3_32b SYSTEM materials_summarizer
    PROMPT 'Spectrum {{spectrum_id}}.\nSynthesis:\n{{synthesis}}\nGive the final characterization as the requested fields.'
    RETURNS (
      phase VARCHAR,
      purity VARCHAR CHECK (purity IN ('pure', 'minor_impurity', 'mixed')),
      confidence DOUBLE CHECK (confidence BETWEEN 0 AND 1),
      summary VARCHAR
    )
    WITH (temperature 0, max_tokens 300)
) RETURN report;

SELECT s.spectrum_id, t.* FROM spectra s, q6_materials(s.spectrum_id) t;
