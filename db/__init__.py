"""The managed Neo4j server: jars from Maven Central (distribution), one instance per home
(instance), and the driver factory with error translation (driver). See db/README.md."""
