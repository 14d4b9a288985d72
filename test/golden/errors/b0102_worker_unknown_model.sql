-- A worker lists a model the catalog does not have (a near name does), and a sim:// endpoint.
CREATE WORKER gpu_box (ENDPOINT 'sim://', MODELS (qwen3_8, llava), GPU 'H100');
