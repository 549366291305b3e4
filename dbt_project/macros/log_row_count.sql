{#- Post-hook: log the row count of the relation just built, in a line the Dagster dbt asset
    recognises and turns into `dagster/row_count` metadata. Counting here, inside dbt's own
    connection, is what lets Dagster show row counts without opening the DuckDB file while dbt
    holds its write lock. -#}
{% macro log_row_count() %}
    {% if execute %}
        {% set counted = run_query('select count(*) from ' ~ this) %}
        {% do log('careaudit:row_count ' ~ counted.columns[0].values()[0], info=True) %}
    {% endif %}
{% endmacro %}
