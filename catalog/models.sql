-- Built-in model catalog: the models the shipped workflows use, all served by the built-in
-- simulated inference server (ENDPOINT 'sim://'). Point ENDPOINT at an OpenAI-compatible
-- server (vLLM, SGLang, OpenAI) to run the same workflows on real GPUs.

CREATE OR REPLACE MODEL qwen3_8b (KIND llm, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
CREATE OR REPLACE MODEL qwen3_32b (KIND llm, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-32B', PARAMS_B 32);
CREATE OR REPLACE MODEL llava (KIND vlm, ENDPOINT 'sim://', NAME 'llava-hf/llava-1.5-7b-hf', PARAMS_B 7);
CREATE OR REPLACE MODEL qwen2_vl (KIND vlm, ENDPOINT 'sim://', NAME 'Qwen/Qwen2-VL-7B-Instruct', PARAMS_B 7);
CREATE OR REPLACE MODEL e5 (KIND embedding, ENDPOINT 'sim://', NAME 'intfloat/e5-small-v2', PARAMS_B 0.03);
CREATE OR REPLACE MODEL zimage (KIND diffusion, ENDPOINT 'sim://', NAME 'Tongyi-MAI/Z-Image-Turbo', PARAMS_B 6);
