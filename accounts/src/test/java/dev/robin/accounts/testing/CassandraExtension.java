package dev.robin.accounts.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared {@link CassandraNode} as a parameter ({@code @ExtendWith(CassandraExtension.class)},
 * then a {@code CassandraNode} parameter on a constructor, {@code @BeforeAll} or test method). The node starts on
 * first use; if it cannot, the test fails with the node's log, never skips.
 */
public final class CassandraExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CassandraNode.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return CassandraNode.shared();
  }
}
