-- mode: run
-- There is no workflow q2_tradin (q2_trading is built in).
DROP WORKFLOW q2_tradin;
