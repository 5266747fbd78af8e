"""What analysts read: the HTML report and its charts, Prefect artifacts, spike alerts, Parquet
export."""
