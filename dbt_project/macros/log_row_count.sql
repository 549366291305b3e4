{#- Post-hook: log the row count and the columns (name and type) of the relation just built,
    in lines the Dagster dbt asset recognises and turns into `dagster/row_count` and
    `dagster/column_schema` metadata. Reading them here, inside dbt's own connection, is what
    lets Dagster show them without opening the DuckDB file while dbt holds its write lock; the
    types are the built relation's, so every model (the section facts, whose columns follow
    the question catalogue, included) shows typed columns in the UI. A view is not counted:
    its count is its whole query over its inputs (at 2 million audits, 10 s for the metric
    contributions on every refresh), not a stored fact. -#}
{% macro log_row_count() %}
    {% if execute %}
        {% if config.get('materialized') != 'view' %}
            {% set counted = run_query('select count(*) from ' ~ this) %}
            {% do log('careaudit:row_count ' ~ counted.columns[0].values()[0], info=True) %}
        {% endif %}
        {% set columns = [] %}
        {% for column in adapter.get_columns_in_relation(this) %}
            {% do columns.append([column.name, column.dtype]) %}
        {% endfor %}
        {% do log('careaudit:columns ' ~ tojson(columns), info=True) %}
    {% endif %}
{% endmacro %}
