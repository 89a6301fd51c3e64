# Writes N metric points of about 150 bytes: awk -v n=1000000 -f gen-metrics.awk
BEGIN {
	srand(42)
	for (i = 0; i < n; i++)
		printf "{\"ts\":%d,\"metric\":\"llm.security.injection_attempt_score\",\"value\":%.4f,\"tags\":{\"session_id\":\"s-%d\",\"service\":\"chatbotservice\"}}\n", 1764150000 + int(i / 100), rand(), int(rand() * 100000)
}
