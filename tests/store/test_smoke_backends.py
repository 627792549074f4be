from sqlalchemy import inspect


def test_migrated_schema_has_all_tables(engine):
    tables = set(inspect(engine).get_table_names())
    assert {
        "customers",
        "phones",
        "transactions",
        "contact_attempts",
        "do_not_call",
        "operators",
        "customer_metrics",
    } <= tables
